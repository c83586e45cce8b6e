import { decodeEnvelope, encodeEnvelope } from '../../../lib/protocol/envelope.codec.js';
import { PROTOCOL_VERSION, type TaskEnvelope } from '../../../lib/protocol/task-envelope.js';
import { InvalidEnvelopeError } from '../../../lib/errors/invalid-envelope.error.js';

function envelope(overrides: Partial<TaskEnvelope> = {}): TaskEnvelope {
  return {
    v: PROTOCOL_VERSION,
    id: 'a1',
    task: 'Reports.render',
    queue: 'default',
    args: [1, 'two'],
    kwargs: {},
    retries: 0,
    createdAt: 1_700_000_000_000,
    rootId: 'a1',
    ...overrides,
  };
}

describe('envelope codec', () => {
  it('round-trips a valid envelope', () => {
    const original = envelope({ eta: 1_700_000_001_000, priority: 9, parentId: 'p', headers: { x: 1 } });
    expect(decodeEnvelope(encodeEnvelope(original))).toEqual(original);
  });

  it('rejects a body that is not JSON', () => {
    expect(() => decodeEnvelope('{nope')).toThrow(/body is not JSON/);
    expect(() => decodeEnvelope('{nope')).toThrow(InvalidEnvelopeError);
  });

  it('rejects JSON that is not an object', () => {
    expect(() => decodeEnvelope('[1,2]')).toThrow(/not a JSON object/);
    expect(() => decodeEnvelope('null')).toThrow(/not a JSON object/);
  });

  it('rejects a wrong or missing protocol version, naming both versions', () => {
    expect(() => decodeEnvelope(JSON.stringify(envelope({ v: 99 })))).toThrow(
      `unsupported protocol version 99 (this worker speaks ${PROTOCOL_VERSION})`,
    );
    const unversioned: Partial<TaskEnvelope> = envelope();
    delete unversioned.v;
    expect(() => decodeEnvelope(JSON.stringify(unversioned))).toThrow(
      /unsupported protocol version undefined/,
    );
  });

  it('leaves out the required fields that hold their usual value: no kwargs, first run, its own root', () => {
    const body = encodeEnvelope(envelope());
    expect(JSON.parse(body)).toEqual({
      v: PROTOCOL_VERSION,
      id: 'a1',
      task: 'Reports.render',
      queue: 'default',
      args: [1, 'two'],
      createdAt: 1_700_000_000_000,
    });
    expect(body.startsWith(`{"v":${PROTOCOL_VERSION},"id":"a1",`)).toBe(true);
    expect(decodeEnvelope(body)).toEqual(envelope());
  });

  it('keeps those fields when they hold anything else', () => {
    const original = envelope({ kwargs: { a: 1 }, retries: 2, rootId: 'root' });
    expect(JSON.parse(encodeEnvelope(original))).toMatchObject({
      kwargs: { a: 1 },
      retries: 2,
      rootId: 'root',
    });
    expect(decodeEnvelope(encodeEnvelope(original))).toEqual(original);
  });

  it('reads the older full form, every field written out, as it was', () => {
    const original = envelope({ replyTo: 'r', parentId: 'p' });
    expect(decodeEnvelope(JSON.stringify(original))).toEqual(original);
  });

  it('fills in no optional field an envelope did not have', () => {
    const decoded = decodeEnvelope(encodeEnvelope(envelope()));
    for (const field of ['parentId', 'group', 'headers', 'replyTo', 'eta', 'priority', 'policy'])
      expect(Object.hasOwn(decoded, field)).toBe(false);
  });

  it.each(['id', 'task', 'queue', 'args', 'createdAt'])('rejects an envelope missing "%s"', (field) => {
    const body = envelope() as unknown as Record<string, unknown>;
    delete body[field];
    expect(() => decodeEnvelope(JSON.stringify(body))).toThrow(`missing field "${field}"`);
  });

  it.each([
    ['args', 'x', 'an array'],
    ['retries', -1, 'a non-negative integer'],
    ['retries', 1.5, 'a non-negative integer'],
    ['priority', 10, 'an integer from 0 to 9'],
    ['eta', 'tomorrow', 'epoch milliseconds'],
    ['task', '', 'a non-empty string'],
    ['kwargs', [], 'an object'],
  ])('rejects field %s = %j as not %s', (field, value, expected) => {
    const body = { ...envelope(), [field]: value };
    expect(() => decodeEnvelope(JSON.stringify(body))).toThrow(`field "${field}" must be ${expected}`);
  });
});
