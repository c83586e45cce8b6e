import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { TaskClient } from '../../../lib/index.js';
import { createSampleApp } from '../../../sample-app/src/bootstrap.js';
import { ReportTasks } from '../../../sample-app/src/reports/reports.tasks.js';
import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';
import type { SpanLine } from '../../fixtures/telemetry/span-lines.tracing.js';
import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';
import { SpawnedProcess } from '../../support/spawned-process.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The worker's finished spans, read from its `SPAN {json}` lines. */
async function workerSpan(worker: SpawnedProcess, name: string): Promise<SpanLine> {
  const escaped = name.replace(/[.]/g, '\\.');
  const [, json] = await worker.waitFor(new RegExp(`^SPAN (\\{"name":"${escaped}".*)$`));
  return JSON.parse(json) as SpanLine;
}

describe('OpenTelemetry: one trace from the API process through a worker process (Redis)', () => {
  const prefix = `trace-${randomUUID()}`;
  const exporter = new InMemorySpanExporter();
  let provider: NodeTracerProvider;
  let app: INestApplication;
  let worker: SpawnedProcess;

  beforeAll(async () => {
    provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
    const [entry, tracing] = await Promise.all([
      compiledEntry('sample-app/src/worker.main.ts'),
      compiledEntry('test/fixtures/telemetry/span-lines.tracing.ts'),
    ]);
    worker = SpawnedProcess.start(['--import', tracing, entry], {
      env: { BROKER_URL: REDIS_URL, CELERIAC_PREFIX: prefix, WORKER_QUEUES: 'io' },
    });
    await worker.waitFor(/consuming io/);
    app = await createSampleApp({ embeddedWorker: false, celeriac: { broker: REDIS_URL, prefix } });
    await app.init();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await provider?.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
    await deleteRedisKeys(prefix, REDIS_URL);
  });

  it('request → send → run in the worker → the task it sends, all with one trace id', async () => {
    const client = app.get(TaskClient);
    const tracer = trace.getTracer('test');
    const handle = await tracer.startActiveSpan('POST /reports', async (span) => {
      try {
        return await client.send(ReportTasks, 'build', [2, 1]);
      } finally {
        span.end();
      }
    });
    const report = await handle.wait({ timeout: 30_000 });
    await client.handle(report.notified).wait({ timeout: 30_000 });

    const local = exporter.getFinishedSpans();
    const request = local.find((span) => span.name === 'POST /reports')!;
    const send = local.find((span) => span.name === 'send ReportTasks.build')!;
    const traceId = request.spanContext().traceId;
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.spanContext().traceId).toBe(traceId);
    expect(send.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'redis',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 'io',
      'messaging.message.id': handle.id,
      'celeriac.task.name': 'ReportTasks.build',
    });

    const run = await workerSpan(worker, 'run ReportTasks.build');
    const sendNotice = await workerSpan(worker, 'send ReportTasks.notify');
    const runNotice = await workerSpan(worker, 'run ReportTasks.notify');
    for (const span of [run, sendNotice, runNotice]) expect(span.traceId).toBe(traceId);
    expect(run).toMatchObject({
      kind: SpanKind.CONSUMER,
      parentSpanId: send.spanContext().spanId,
      status: SpanStatusCode.UNSET,
      attributes: {
        'messaging.system': 'redis',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'run',
        'messaging.destination.name': 'io',
        'messaging.message.id': handle.id,
        'celeriac.task.retries': 0,
      },
    });
    expect(sendNotice).toMatchObject({ kind: SpanKind.PRODUCER, parentSpanId: run.spanId });
    expect(runNotice).toMatchObject({
      kind: SpanKind.CONSUMER,
      parentSpanId: sendNotice.spanId,
      attributes: { 'messaging.message.id': report.notified },
    });
  });
});
