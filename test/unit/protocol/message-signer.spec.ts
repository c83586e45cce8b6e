import { randomBytes } from 'node:crypto';
import { InvalidEnvelopeError } from '../../../lib/errors/invalid-envelope.error.js';
import { TaskDefinitionError } from '../../../lib/errors/task-definition.error.js';
import { MessageSigner, SIGNATURE_HEADER } from '../../../lib/protocol/message-signer.js';
import { PROTOCOL_VERSION, type TaskEnvelope } from '../../../lib/protocol/task-envelope.js';
import { WireCodecs } from '../../../lib/protocol/wire-codecs.js';
import { resolveOptions } from '../../../lib/resolve-options.js';

const OLD = randomBytes(32);
const CURRENT = 'current-signing-key-of-32-bytes!';
const body = '{"v":1,"id":"a1"}';

describe('MessageSigner', () => {
  const signer = new MessageSigner({ key: CURRENT, previousKeys: [OLD] });

  it('signs with the current key and verifies what it signed', () => {
    const headers = signer.sign(body);
    expect(headers[SIGNATURE_HEADER]).toMatch(new RegExp(`^${signer.keyId}:[A-Za-z0-9_-]{43}$`));
    expect(() => signer.verify(body, headers)).not.toThrow();
  });

  it('verifies a message signed with a previous key (rotation), refuses an unknown key', () => {
    expect(() => signer.verify(body, new MessageSigner({ key: OLD }).sign(body))).not.toThrow();
    const stranger = new MessageSigner({ key: randomBytes(32) });
    expect(() => signer.verify(body, stranger.sign(body))).toThrow(
      `signed with an unknown key (key id ${stranger.keyId})`,
    );
  });

  it.each([
    ['unsigned', {}, /unsigned message/],
    ['malformed', { [SIGNATURE_HEADER]: 'no-colon' }, /malformed celeriac-signature/],
    ['not a string', { [SIGNATURE_HEADER]: 42 }, /malformed/],
  ])('refuses a message %s', (_, headers, reason) => {
    expect(() => signer.verify(body, headers)).toThrow(InvalidEnvelopeError);
    expect(() => signer.verify(body, headers)).toThrow(reason);
  });

  it('refuses an altered body or a cut signature', () => {
    const headers = signer.sign(body);
    expect(() => signer.verify(body.replace('a1', 'a2'), headers)).toThrow(/bad signature/);
    const cut = { [SIGNATURE_HEADER]: (headers[SIGNATURE_HEADER] as string).slice(0, -4) };
    expect(() => signer.verify(body, cut)).toThrow(/bad signature/);
  });

  it('never names the key, only an id derived from it', () => {
    expect(signer.keyId).not.toContain(CURRENT.slice(0, 6));
    expect(new MessageSigner({ key: CURRENT }).keyId).toBe(signer.keyId);
  });

  it('refuses keys shorter than 16 bytes at bootstrap', () => {
    expect(() => resolveOptions({ signing: { key: 'short' } })).toThrow(TaskDefinitionError);
    expect(() => resolveOptions({ signing: { key: CURRENT, previousKeys: ['tiny'] } })).toThrow(
      /signing.previousKeys\[0\]/,
    );
  });
});

describe('WireCodecs with signing', () => {
  const envelope = (queue: string): TaskEnvelope => ({
    v: PROTOCOL_VERSION,
    id: 'a1',
    task: 'T.run',
    queue,
    args: [],
    kwargs: {},
    retries: 0,
    createdAt: 1,
    rootId: 'a1',
  });
  const codecs = new WireCodecs(
    { default: {}, legacy: { protocol: 'celery' } },
    new MessageSigner({ key: CURRENT }),
  );

  it('signs and verifies Celeriac-protocol queues', () => {
    const message = codecs.encode(envelope('default'));
    expect(message.headers?.[SIGNATURE_HEADER]).toBeDefined();
    const received = { queue: 'default', body: message.body, headers: message.headers!, properties: {} };
    expect(codecs.decode(received).id).toBe('a1');
    expect(() => codecs.decode({ ...received, headers: {} })).toThrow(/unsigned message/);
  });

  it("leaves protocol 'celery' queues unsigned and unverified", () => {
    const message = codecs.encode(envelope('legacy'));
    expect(message.headers?.[SIGNATURE_HEADER]).toBeUndefined();
    const received = { queue: 'legacy', body: message.body, headers: message.headers!, properties: {} };
    expect(codecs.decode(received).id).toBe('a1');
  });
});
