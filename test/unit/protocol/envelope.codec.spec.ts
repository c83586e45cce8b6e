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

  it.each(['id', 'task', 'queue', 'args', 'kwargs', 'retries', 'createdAt', 'rootId'])(
    'rejects an envelope missing "%s"',
    (field) => {
      const body = envelope() as unknown as Record<string, unknown>;
      delete body[field];
      expect(() => decodeEnvelope(JSON.stringify(body))).toThrow(`missing field "${field}"`);
    },
  );

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
