import { celeryWireCodec } from '../../../../lib/protocol/celery/celery.codec.js';
import { fromCeleryTime, toCeleryTime } from '../../../../lib/protocol/celery/celery-time.js';
import { PROTOCOL_VERSION, type TaskEnvelope } from '../../../../lib/protocol/task-envelope.js';
import type { MessageHeaders } from '../../../../lib/brokers/broker.interface.js';
import { InvalidEnvelopeError } from '../../../../lib/errors/invalid-envelope.error.js';
import { ForeignWorkflowError } from '../../../../lib/errors/foreign-workflow.error.js';

const envelope: TaskEnvelope = {
  v: PROTOCOL_VERSION,
  id: 'id-1',
  task: 'tasks.add',
  queue: 'legacy',
  args: [2, 3],
  kwargs: { z: 1 },
  retries: 1,
  createdAt: 0,
  eta: Date.UTC(2030, 0, 2, 3, 4, 5, 678),
  timeLimit: 1500,
  rootId: 'root-1',
};

/** What a Celery 5.2 producer puts on the wire for `send_task('tasks.add', (2, 3), {'z': 1})`. */
function celeryMessage(
  headers: MessageHeaders = {},
  body: unknown = [[2, 3], { z: 1 }, { callbacks: null, errbacks: null, chain: null, chord: null }],
) {
  return {
    queue: 'legacy',
    body: JSON.stringify(body),
    headers: {
      lang: 'py',
      task: 'tasks.add',
      id: 'id-2',
      shadow: null,
      eta: '2030-01-02T03:04:05.678901+00:00',
      expires: null,
      group: null,
      group_index: null,
      retries: 0,
      timelimit: [10, null],
      root_id: 'id-2',
      parent_id: null,
      argsrepr: '(2, 3)',
      kwargsrepr: "{'z': 1}",
      origin: 'gen1@host',
      ignore_result: false,
      ...headers,
    },
    properties: {
      correlationId: 'id-2',
      replyTo: '',
      contentType: 'application/json',
      contentEncoding: 'utf-8',
    },
  };
}

describe('Celery protocol v2 codec', () => {
  it('puts the envelope where Celery looks for each field', () => {
    const message = celeryWireCodec.encode(envelope);
    expect(JSON.parse(message.body)).toEqual([
      [2, 3],
      { z: 1 },
      { callbacks: null, errbacks: null, chain: null, chord: null },
    ]);
    expect(message.headers).toMatchObject({
      lang: 'js',
      task: 'tasks.add',
      id: 'id-1',
      eta: '2030-01-02T03:04:05.678000+00:00',
      expires: null,
      retries: 1,
      timelimit: [null, 1.5],
      root_id: 'root-1',
      parent_id: null,
      group: null,
      argsrepr: '[2,3]',
      kwargsrepr: '{"z":1}',
      ignore_result: false,
      origin: expect.stringMatching(/^\d+@/),
    });
    expect(message.properties).toEqual({
      correlationId: 'id-1',
      replyTo: '',
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 2,
    });
  });

  it("reads a Celery producer's message, keeping the headers it has no field for", () => {
    const decoded = celeryWireCodec.decode(celeryMessage());
    expect(decoded).toMatchObject({
      id: 'id-2',
      task: 'tasks.add',
      queue: 'legacy',
      args: [2, 3],
      kwargs: { z: 1 },
      retries: 0,
      eta: Date.UTC(2030, 0, 2, 3, 4, 5, 678),
      timeLimit: 10_000,
      rootId: 'id-2',
    });
    expect(decoded.expires).toBeUndefined();
    expect(decoded.headers).toMatchObject({ origin: 'gen1@host', argsrepr: '(2, 3)', group: null });
    // A retry re-encodes them as they came.
    expect(celeryWireCodec.encode({ ...decoded, retries: 1 }).headers).toMatchObject({
      origin: 'gen1@host',
      argsrepr: '(2, 3)',
      retries: 1,
    });
  });

  it('round-trips an envelope', () => {
    const message = celeryWireCodec.encode(envelope);
    const decoded = celeryWireCodec.decode({
      queue: 'legacy',
      body: message.body,
      headers: message.headers!,
      properties: message.properties!,
    });
    expect(decoded).toMatchObject({
      id: 'id-1',
      task: 'tasks.add',
      args: [2, 3],
      kwargs: { z: 1 },
      retries: 1,
      eta: envelope.eta,
      timeLimit: 1500,
      rootId: 'root-1',
    });
  });

  type Change = { headers?: Record<string, unknown>; body?: unknown; properties?: Record<string, string> };
  it.each<[Change, RegExp]>([
    [{ headers: { task: undefined } }, /no "task" header/],
    [{ headers: { id: 7 } }, /"id" must be a non-empty string/],
    [{ headers: { eta: 'tomorrow' } }, /"eta" must be an ISO 8601 time/],
    [{ headers: { timelimit: 'x' } }, /timelimit/],
    [{ body: { args: [] } }, /\[args, kwargs, embed\]/],
    [{ body: [1, {}, null] }, /args must be an array/],
    [{ body: [[], [], null] }, /kwargs must be an object/],
    [{ properties: { contentType: 'application/x-python-serialize' } }, /content type .* not supported/],
  ])('refuses a malformed message: %j', (change, reason) => {
    const base = celeryMessage(change.headers as MessageHeaders, change.body);
    const message = { ...base, properties: { ...base.properties, ...(change.properties ?? {}) } };
    expect(() => celeryWireCodec.decode(message)).toThrow(reason);
  });

  it('refuses a Celery workflow but says which task it was', () => {
    const message = celeryMessage({}, [
      [1],
      {},
      { callbacks: [{ task: 'x' }], errbacks: null, chain: null, chord: null },
    ]);
    let error: unknown;
    try {
      celeryWireCodec.decode(message);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidEnvelopeError);
    expect((error as InvalidEnvelopeError).message).toMatch(/Celery workflow \(callbacks\)/);
    expect((error as InvalidEnvelopeError).envelope).toMatchObject({ id: 'id-2', task: 'tasks.add' });
  });

  it('refuses to send a workflow step', () => {
    expect(() => celeryWireCodec.encode({ ...envelope, callbacks: ['s1'] })).toThrow(ForeignWorkflowError);
  });

  it('reads times with or without an offset, always as UTC when none is given', () => {
    expect(fromCeleryTime('2030-01-02T03:04:05', 'eta')).toBe(Date.UTC(2030, 0, 2, 3, 4, 5));
    expect(fromCeleryTime('2030-01-02T05:04:05.5+02:00', 'eta')).toBe(Date.UTC(2030, 0, 2, 3, 4, 5, 500));
    expect(fromCeleryTime(null, 'eta')).toBeUndefined();
    expect(toCeleryTime(Date.UTC(2030, 0, 2, 3, 4, 5, 6))).toBe('2030-01-02T03:04:05.006000+00:00');
  });
});
