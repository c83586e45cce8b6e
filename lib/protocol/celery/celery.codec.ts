import { hostname } from 'node:os';
import type { MessageHeaders } from '../../brokers/broker.interface.js';
import { InvalidEnvelopeError } from '../../errors/invalid-envelope.error.js';
import { ForeignWorkflowError } from '../../errors/foreign-workflow.error.js';
import { validateEnvelope } from '../envelope.codec.js';
import { refuseForbiddenKeys } from '../forbidden-keys.js';
import type { JsonValue } from '../json-value.js';
import { PROTOCOL_VERSION, type TaskEnvelope } from '../task-envelope.js';
import type { ReceivedMessage, WireCodec, WireMessage } from '../wire-codec.js';
import { fromCeleryTime, toCeleryTime } from './celery-time.js';

/** Headers this codec maps onto envelope fields; any other header is carried along unchanged. */
const MAPPED = new Set([
  'lang',
  'task',
  'id',
  'eta',
  'expires',
  'retries',
  'timelimit',
  'root_id',
  'parent_id',
  'ignore_result',
]);

/** Longest `argsrepr` / `kwargsrepr` written, like Celery's own `saferepr` limit. */
const REPR_LIMIT = 1024;

const EMBED_FIELDS = ['callbacks', 'errbacks', 'chain', 'chord'] as const;

/**
 * Celery's task message protocol v2: the task's identity and options in headers, the correlation id
 * and content type in properties, and `[args, kwargs, embed]` as the JSON body. Workflows (callbacks,
 * chains, chords) do not cross between Celery and Celeriac: sending one is refused, and a received one
 * is refused with its task recorded as failed.
 */
export const celeryWireCodec: WireCodec = {
  encode(envelope: TaskEnvelope): WireMessage {
    refuseWorkflow(envelope);
    const origin = `${process.pid}@${hostname()}`;
    const headers: MessageHeaders = {
      shadow: null,
      group: null,
      group_index: null,
      argsrepr: repr(envelope.args),
      kwargsrepr: repr(envelope.kwargs),
      origin,
      // Headers a Celery producer set that have no envelope field (shadow, group, origin, …) go back as they came.
      ...envelope.headers,
      lang: 'js',
      task: envelope.task,
      id: envelope.id,
      eta: envelope.eta === undefined ? null : toCeleryTime(envelope.eta),
      expires: envelope.expires === undefined ? null : toCeleryTime(envelope.expires),
      retries: envelope.retries,
      timelimit: [null, envelope.timeLimit === undefined ? null : envelope.timeLimit / 1000],
      root_id: envelope.rootId,
      parent_id: envelope.parentId ?? null,
      ignore_result: envelope.ignoreResult ?? false,
    };
    const embed = { callbacks: null, errbacks: null, chain: null, chord: null };
    return {
      body: JSON.stringify([envelope.args, envelope.kwargs, embed]),
      headers,
      properties: {
        correlationId: envelope.id,
        replyTo: '',
        contentType: 'application/json',
        contentEncoding: 'utf-8',
        deliveryMode: 2,
      },
    };
  },

  decode(message: ReceivedMessage): TaskEnvelope {
    checkContent(message);
    const { headers } = message;
    refuseForbiddenKeys(headers, 'headers');
    if (typeof headers.task !== 'string' || headers.task === '') {
      throw new InvalidEnvelopeError(
        'not a Celery protocol v2 task message: no "task" header (Celery protocol 1 is not supported; set task_protocol = 2)',
      );
    }
    if (typeof headers.id !== 'string' || headers.id === '') {
      throw new InvalidEnvelopeError('Celery header "id" must be a non-empty string');
    }
    const [args, kwargs, embed] = parseBody(message.body);
    const envelope = validateEnvelope({
      v: PROTOCOL_VERSION,
      id: headers.id,
      task: headers.task,
      queue: message.queue,
      args,
      kwargs,
      retries: headers.retries ?? 0,
      createdAt: Date.now(),
      eta: fromCeleryTime(headers.eta, 'eta'),
      expires: fromCeleryTime(headers.expires, 'expires'),
      timeLimit: timeLimitOf(headers.timelimit),
      rootId: stringOr(headers.root_id, headers.id),
      parentId: stringOr(headers.parent_id, undefined),
      ignoreResult: headers.ignore_result === true ? true : undefined,
      headers: carried(headers),
    });
    const workflow = EMBED_FIELDS.filter((field) => isPresent(embed?.[field]));
    if (workflow.length > 0) {
      throw new InvalidEnvelopeError(
        `Celery workflow (${workflow.join(', ')}) on queue "${message.queue}": chains, chords and callbacks ` +
          "do not cross between Celery and Celeriac on a protocol 'celery' queue",
        envelope,
      );
    }
    return envelope;
  },
};

function refuseWorkflow(envelope: TaskEnvelope): void {
  if (envelope.callbacks || envelope.errbacks || envelope.chord || envelope.group) {
    throw new ForeignWorkflowError(envelope.task, envelope.queue, 'celery');
  }
}

/** Only JSON in UTF-8 is read; a missing content type is taken as JSON (Celery always sets it). */
function checkContent(message: ReceivedMessage): void {
  const { contentType, contentEncoding } = message.properties;
  if (contentType !== undefined && contentType !== 'application/json') {
    throw new InvalidEnvelopeError(
      `content type "${contentType}" is not supported (only application/json; set task_serializer = 'json')`,
    );
  }
  if (contentEncoding !== undefined && !/^utf-?8$/i.test(contentEncoding)) {
    throw new InvalidEnvelopeError(`content encoding "${contentEncoding}" is not supported (only utf-8)`);
  }
}

type Embed = Partial<Record<(typeof EMBED_FIELDS)[number], unknown>> | null;

function parseBody(body: string): [JsonValue[], Record<string, JsonValue>, Embed] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new InvalidEnvelopeError(`Celery body is not JSON (${(error as Error).message})`);
  }
  refuseForbiddenKeys(parsed, 'body', body);
  if (!Array.isArray(parsed) || parsed.length < 2 || parsed.length > 3) {
    throw new InvalidEnvelopeError('Celery body must be [args, kwargs, embed]');
  }
  const [args, kwargs, embed] = parsed as unknown[];
  if (!Array.isArray(args)) throw new InvalidEnvelopeError('Celery body: args must be an array');
  if (!isObject(kwargs)) throw new InvalidEnvelopeError('Celery body: kwargs must be an object');
  if (embed !== undefined && embed !== null && !isObject(embed)) {
    throw new InvalidEnvelopeError('Celery body: embed must be an object or null');
  }
  return [args as JsonValue[], kwargs as Record<string, JsonValue>, embed ?? null];
}

/** Celery's `[hard, soft]` seconds; Celeriac's limit is the soft one, or the hard one when only it is set. */
function timeLimitOf(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const valid = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
  if (!Array.isArray(value) || value.length !== 2 || !value.every(valid)) {
    throw new InvalidEnvelopeError('Celery header "timelimit" must be [hard, soft] in seconds (or nulls)');
  }
  const [hard, soft] = value as (number | null)[];
  const seconds = soft ?? hard;
  return seconds === null || seconds === 0 ? undefined : Math.round(seconds * 1000);
}

function carried(headers: Readonly<MessageHeaders>): MessageHeaders | undefined {
  const rest = Object.entries(headers).filter(([name]) => !MAPPED.has(name));
  return rest.length === 0 ? undefined : Object.fromEntries(rest);
}

function stringOr<T>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function isPresent(value: unknown): boolean {
  return value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function repr(value: JsonValue[] | Record<string, JsonValue>): string {
  const text = JSON.stringify(value);
  return text.length <= REPR_LIMIT ? text : `${text.slice(0, REPR_LIMIT - 3)}...`;
}
