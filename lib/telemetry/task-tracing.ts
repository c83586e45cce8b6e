import {
  type Attributes,
  context,
  isSpanContextValid,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import type { JsonValue } from '../protocol/json-value.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';

/** Instrumentation scope of every span Celeriac starts. */
export const TRACER_NAME = 'celeriac';

/** `messaging.system` per broker kind or URL scheme (the semantic conventions' names where they have one). */
const MESSAGING_SYSTEMS: Record<string, string> = {
  amqp: 'rabbitmq',
  amqps: 'rabbitmq',
  redis: 'redis',
  rediss: 'redis',
  memory: 'celeriac',
};

/** The `messaging.system` attribute for a broker kind (`amqp`) or URL scheme (`amqps`). */
export function messagingSystemOf(brokerKind: string): string {
  return MESSAGING_SYSTEMS[brokerKind] ?? brokerKind;
}

function tracer(): Tracer {
  // Looked up per call: the SDK may be registered after Celeriac's modules were loaded.
  return trace.getTracer(TRACER_NAME);
}

function attributesOf(envelope: TaskEnvelope, system: string, operation: 'send' | 'run'): Attributes {
  return {
    'messaging.system': system,
    'messaging.operation.type': operation === 'send' ? 'send' : 'process',
    'messaging.operation.name': operation,
    'messaging.destination.name': envelope.queue,
    'messaging.message.id': envelope.id,
    'messaging.message.conversation_id': envelope.rootId,
    'celeriac.task.name': envelope.task,
    'celeriac.task.retries': envelope.retries,
  };
}

/** A span that records nothing and carries no context: no SDK is registered (or it samples nothing). */
function isInert(span: Span): boolean {
  return !span.isRecording() && !isSpanContextValid(span.spanContext());
}

function fail(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Runs `publish` inside a producer span `send <task>`. When a span is live, `publish` receives a
 * copy of the envelope whose headers carry its W3C trace context (`traceparent`, `tracestate`),
 * so the worker's `run` span continues the same trace; otherwise it receives `undefined` and
 * publishes what it already encoded. `system` is the `messaging.system` attribute. Without an OpenTelemetry SDK this costs one no-op span.
 */
export async function traceSend(
  envelope: TaskEnvelope,
  system: string,
  publish: (traced: TaskEnvelope | undefined) => Promise<void>,
): Promise<void> {
  const span = tracer().startSpan(`send ${envelope.task}`, {
    kind: SpanKind.PRODUCER,
    attributes: attributesOf(envelope, system, 'send'),
  });
  if (isInert(span)) return publish(undefined);
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  const traced: TaskEnvelope = { ...envelope, headers: { ...envelope.headers, ...carrier } };
  try {
    await publish(traced);
  } catch (error) {
    fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * {@link traceSend} for a batch published in one call: one `send <task>` span per envelope, all
 * ended (and failed together) when the batch is. `publish` receives, per envelope, its traced copy
 * or `undefined` when its span is inert.
 */
export async function traceSendMany(
  envelopes: readonly TaskEnvelope[],
  system: string,
  publish: (traced: (TaskEnvelope | undefined)[]) => Promise<void>,
): Promise<void> {
  const spans: Span[] = [];
  const traced = envelopes.map((envelope) => {
    const span = tracer().startSpan(`send ${envelope.task}`, {
      kind: SpanKind.PRODUCER,
      attributes: attributesOf(envelope, system, 'send'),
    });
    if (isInert(span)) return undefined;
    spans.push(span);
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    return { ...envelope, headers: { ...envelope.headers, ...carrier } };
  });
  if (spans.length === 0) return publish(traced);
  try {
    await publish(traced);
  } catch (error) {
    for (const span of spans) fail(span, error);
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

/** What an attempt reports, as far as its span needs to know. */
export type TracedOutcome = { ok: true } | { ok: false; error: unknown };

/**
 * Runs one attempt inside a consumer span `run <task>`, the child of the producer span whose
 * context the envelope's headers carry; tasks sent from inside the attempt become its children.
 */
export async function traceRun<T extends TracedOutcome>(
  envelope: TaskEnvelope,
  system: string,
  run: () => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(context.active(), textHeaders(envelope.headers));
  const span = tracer().startSpan(
    `run ${envelope.task}`,
    { kind: SpanKind.CONSUMER, attributes: attributesOf(envelope, system, 'run') },
    parent,
  );
  if (isInert(span)) return run();
  try {
    const outcome = await context.with(trace.setSpan(parent, span), run);
    if (!outcome.ok) fail(span, outcome.error);
    return outcome;
  } catch (error) {
    fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

function textHeaders(headers: Record<string, JsonValue> | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) if (typeof value === 'string') text[key] = value;
  return text;
}
