import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { PROTOCOL_VERSION, type TaskEnvelope } from '../../../lib/index.js';
import { messagingSystemOf, traceRun, traceSend } from '../../../lib/telemetry/task-tracing.js';

const envelope: TaskEnvelope = {
  v: PROTOCOL_VERSION,
  id: 'task-1',
  task: 'Reports.build',
  queue: 'io',
  args: [],
  kwargs: {},
  retries: 1,
  createdAt: 0,
  rootId: 'root-1',
  headers: { custom: 'kept' },
};

describe('task tracing without an OpenTelemetry SDK', () => {
  it('publishes the envelope as encoded, with no trace headers', async () => {
    const received: (TaskEnvelope | undefined)[] = [];
    await traceSend(envelope, 'redis', (traced) => {
      received.push(traced);
      return Promise.resolve();
    });
    expect(received).toEqual([undefined]);
  });

  it('runs the attempt and returns its outcome', async () => {
    await expect(traceRun(envelope, 'redis', () => Promise.resolve({ ok: true as const }))).resolves.toEqual({
      ok: true,
    });
  });
});

describe('task tracing with an SDK registered', () => {
  const exporter = new InMemorySpanExporter();
  let provider: NodeTracerProvider;

  beforeAll(() => {
    provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
  });
  afterEach(() => exporter.reset());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('send injects traceparent into a copy of the envelope headers; run continues that trace', async () => {
    let traced: TaskEnvelope | undefined;
    await traceSend(envelope, messagingSystemOf('amqp'), (copy) => {
      traced = copy;
      return Promise.resolve();
    });
    expect(traced!.headers).toEqual({
      custom: 'kept',
      traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-/),
    });
    expect(envelope.headers).toEqual({ custom: 'kept' });
    await traceRun(traced!, 'rabbitmq', () => Promise.resolve({ ok: true as const }));
    const [send, run] = exporter.getFinishedSpans();
    expect(send).toMatchObject({ name: 'send Reports.build', kind: SpanKind.PRODUCER });
    expect(send.attributes['messaging.system']).toBe('rabbitmq');
    expect(run).toMatchObject({ name: 'run Reports.build', kind: SpanKind.CONSUMER });
    expect(run.spanContext().traceId).toBe(send.spanContext().traceId);
    expect(run.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    expect(run.attributes).toMatchObject({
      'celeriac.task.retries': 1,
      'messaging.message.conversation_id': 'root-1',
    });
  });

  it('a failed attempt or a failed publish marks its span as an error', async () => {
    await traceRun(envelope, 'redis', () =>
      Promise.resolve({ ok: false as const, error: new Error('boom') }),
    );
    await expect(
      traceSend(envelope, 'redis', () => Promise.reject(new Error('broker down'))),
    ).rejects.toThrow('broker down');
    const [run, send] = exporter.getFinishedSpans();
    expect(run.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(run.events.map((event) => event.name)).toEqual(['exception']);
    expect(send.status).toEqual({ code: SpanStatusCode.ERROR, message: 'broker down' });
  });

  it('a task sent while a run span is active becomes its child', async () => {
    await traceRun(envelope, 'redis', async () => {
      await traceSend({ ...envelope, id: 'child', task: 'Reports.notify' }, 'redis', () => Promise.resolve());
      return { ok: true as const };
    });
    const [childSend, run] = exporter.getFinishedSpans();
    expect(childSend.name).toBe('send Reports.notify');
    expect(childSend.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
  });
});
