import { InvalidEnvelopeError } from '../../../lib/errors/invalid-envelope.error.js';
import { findForbiddenKey, mayHoldForbiddenKey } from '../../../lib/protocol/forbidden-keys.js';
import { PROTOCOL_VERSION, type TaskEnvelope } from '../../../lib/protocol/task-envelope.js';
import { WireCodecs } from '../../../lib/protocol/wire-codecs.js';
import { bodyPrefix, oversizedBytes } from '../../../lib/brokers/oversized-message.js';

function envelope(queue = 'default'): TaskEnvelope {
  return {
    v: PROTOCOL_VERSION,
    id: 'a1',
    task: 'Reports.render',
    queue,
    args: [1],
    kwargs: {},
    retries: 0,
    createdAt: 1_700_000_000_000,
    rootId: 'a1',
  };
}

const codecs = new WireCodecs({ default: {}, legacy: { protocol: 'celery' } });
const received = (body: string, properties = {}, queue = 'default') => ({
  queue,
  body,
  headers: {},
  properties,
});

describe('prototype-reaching keys', () => {
  it.each([
    ['{"a":{"__proto__":{"x":1}}}', '$.a.__proto__'],
    ['[{"b":[{"constructor":1}]}]', '$[0].b[0].constructor'],
    ['{"prototype":null}', '$.prototype'],
    ['{"\\u005f_proto__":1}', '$.__proto__'],
  ])('finds the key in %s at %s', (text, path) => {
    expect(mayHoldForbiddenKey(text)).toBe(true);
    expect(findForbiddenKey(JSON.parse(text))).toBe(path);
  });

  it('skips the walk when the text cannot spell such a key, and lets values named so pass', () => {
    expect(mayHoldForbiddenKey('{"user":{"name":"ann"},"tags":["constructor-ish"]}')).toBe(false);
    expect(findForbiddenKey({ role: 'constructor', list: ['__proto__'] })).toBeUndefined();
  });

  it('survives nesting far deeper than the call stack', () => {
    const deep = '['.repeat(100_000) + '{"__proto__":1}' + ']'.repeat(100_000);
    expect(findForbiddenKey(JSON.parse(deep))).toMatch(/\.__proto__$/);
  });

  it('a Celeriac envelope holding one is refused as an invalid envelope', () => {
    const text = JSON.stringify(envelope()).replace('"kwargs":{}', '"kwargs":{"__proto__":{"admin":true}}');
    expect(() => codecs.decode(received(text))).toThrow(InvalidEnvelopeError);
    expect(() => codecs.decode(received(text))).toThrow(/forbidden key at envelope\.kwargs\.__proto__/);
  });

  it('so is a Celery message, in its body or its headers', () => {
    const base = { queue: 'legacy', properties: {} };
    const headers = { task: 'Reports.render', id: 'c1' };
    expect(() => codecs.decode({ ...base, headers, body: '[[{"constructor":{}}],{},null]' })).toThrow(
      /forbidden key at body\[0\]\[0\]\.constructor/,
    );
    const polluted = JSON.parse('{"task":"Reports.render","id":"c1","__proto__":{"x":1}}') as Record<
      string,
      never
    >;
    expect(() => codecs.decode({ ...base, headers: polluted, body: '[[],{},null]' })).toThrow(
      /forbidden key at headers\.__proto__/,
    );
  });
});

describe('content type at receipt', () => {
  const body = JSON.stringify(envelope());

  it.each([undefined, '', 'application/json', 'Application/JSON; charset=utf-8'])(
    'a Celeriac queue accepts %p',
    (contentType) => {
      expect(codecs.decode(received(body, { contentType })).id).toBe('a1');
    },
  );

  it.each(['application/x-python-serialize', 'application/x-yaml', 'text/plain'])(
    'a Celeriac queue refuses %s, whatever the body',
    (contentType) => {
      expect(() => codecs.decode(received(body, { contentType }))).toThrow(
        `content type "${contentType}" is not accepted`,
      );
    },
  );

  it("a protocol 'celery' queue follows Celery's rules: JSON read, pickle and YAML refused", () => {
    const headers = { task: 'Reports.render', id: 'c1' };
    const message = (contentType: string) => ({
      queue: 'legacy',
      headers,
      body: '[[1],{},null]',
      properties: { contentType },
    });
    expect(codecs.decode(message('application/json')).task).toBe('Reports.render');
    for (const type of ['application/x-python-serialize', 'application/x-yaml']) {
      expect(() => codecs.decode(message(type))).toThrow(/content type .* not supported/);
    }
  });
});

describe('size at receipt', () => {
  it('measures only bodies that may exceed the limit, in UTF-8 bytes', () => {
    expect(oversizedBytes('abc', undefined)).toBeUndefined();
    expect(oversizedBytes('a'.repeat(10), 30)).toBeUndefined();
    expect(oversizedBytes('é'.repeat(10), 19)).toBe(20);
    expect(oversizedBytes(Buffer.alloc(11), 10)).toBe(11);
  });

  it('keeps at most 1 KiB of a body, never halving a character', () => {
    const prefix = bodyPrefix('a' + 'é'.repeat(2_000));
    expect(prefix.length).toBeLessThanOrEqual(1024);
    expect(prefix.length).toBe(1023);
    expect(prefix.toString('utf8')).toBe('a' + 'é'.repeat(511));
    expect(bodyPrefix(Buffer.from('short')).toString()).toBe('short');
  });
});
