import { InvalidEnvelopeError } from '../errors/invalid-envelope.error.js';
import { MAX_PRIORITY, MIN_PRIORITY } from '../celeriac.constants.js';
import { PROTOCOL_VERSION, type TaskEnvelope } from './task-envelope.js';
import { isPolicyFields } from './policy-fields.js';
import { refuseForbiddenKeys } from './forbidden-keys.js';

type Check = (value: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string' && v.length > 0;
const isTime: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isCount: Check = (v) => Number.isInteger(v) && (v as number) >= 0;
const isArray: Check = (v) => Array.isArray(v);
const isObject: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBoolean: Check = (v) => typeof v === 'boolean';
const isStringArray: Check = (v) => Array.isArray(v) && v.every((item) => isString(item));
const isPriority: Check = (v) =>
  Number.isInteger(v) && (v as number) >= MIN_PRIORITY && (v as number) <= MAX_PRIORITY;

/** Field → [check, required, what the check expects]. */
const FIELDS: Record<string, [Check, boolean, string]> = {
  id: [isString, true, 'a non-empty string'],
  task: [isString, true, 'a non-empty string'],
  queue: [isString, true, 'a non-empty string'],
  args: [isArray, true, 'an array'],
  kwargs: [isObject, true, 'an object'],
  retries: [isCount, true, 'a non-negative integer'],
  createdAt: [isTime, true, 'epoch milliseconds'],
  rootId: [isString, true, 'a non-empty string'],
  eta: [isTime, false, 'epoch milliseconds'],
  expires: [isTime, false, 'epoch milliseconds'],
  priority: [isPriority, false, `an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}`],
  timeLimit: [isCount, false, 'a non-negative integer (ms)'],
  parentId: [isString, false, 'a non-empty string'],
  group: [isString, false, 'a non-empty string'],
  groupIndex: [isCount, false, 'a non-negative integer'],
  groupSize: [isCount, false, 'a non-negative integer'],
  callbacks: [isStringArray, false, 'an array of step ids'],
  errbacks: [isStringArray, false, 'an array of step ids'],
  chord: [isString, false, 'a step id'],
  ignoreResult: [isBoolean, false, 'a boolean'],
  replyTo: [isString, false, 'a non-empty string'],
  headers: [isObject, false, 'an object'],
  policy: [
    isPolicyFields,
    false,
    'delivery-policy fields (rateKey, concurrencyKey, dedupKey, dedupUntil, rateBooked, waits)',
  ],
};

/** {@link FIELDS} as a list, made once: validation runs for every envelope sent and received. */
const FIELD_LIST = Object.entries(FIELDS).map(([field, [check, required, expected]]) => ({
  field,
  check,
  required,
  expected,
}));

/**
 * Required fields the wire form leaves out when they hold their usual value, and the value a decoder
 * puts back: no keyword arguments, the first run, a task that is its own workflow's root. A waiting
 * message is what a queue's memory holds most of, and these three were a fifth of a small one.
 * Optional fields are never filled in: what was absent when encoded is absent when decoded.
 */
const OMITTED_WHEN_USUAL: Record<string, (value: unknown, envelope: TaskEnvelope) => boolean> = {
  kwargs: (value) => isObject(value) && isEmptyObject(value as object),
  retries: (value) => value === 0,
  rootId: (value, envelope) => value === envelope.id,
};

function isEmptyObject(value: object): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

/**
 * Serialises an envelope for the wire, leaving out the required fields that hold their usual value
 * ({@link OMITTED_WHEN_USUAL}); `v` and `id` stay first, so a broker can read the id from the head.
 */
export function encodeEnvelope(envelope: TaskEnvelope): string {
  const wire: Record<string, unknown> = {};
  for (const field in envelope) {
    const value = (envelope as unknown as Record<string, unknown>)[field];
    if (value === undefined || OMITTED_WHEN_USUAL[field]?.(value, envelope)) continue;
    wire[field] = value;
  }
  return JSON.stringify(wire);
}

/**
 * Parses and validates a message body. Never evaluates anything: plain `JSON.parse`, a refusal of
 * prototype-reaching keys at any depth, then a field-by-field check. Throws
 * {@link InvalidEnvelopeError} naming the first problem found.
 */
export function decodeEnvelope(body: string): TaskEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new InvalidEnvelopeError(`body is not JSON (${(error as Error).message})`);
  }
  refuseForbiddenKeys(parsed, 'envelope', body);
  if (isObject(parsed)) restoreUsualFields(parsed as Record<string, unknown>);
  return validateEnvelope(parsed);
}

/** Checks an already-parsed value; returns it typed, or throws {@link InvalidEnvelopeError}. */
export function validateEnvelope(value: unknown): TaskEnvelope {
  if (!isObject(value)) throw new InvalidEnvelopeError('body is not a JSON object');
  const record = value as Record<string, unknown>;
  if (record.v !== PROTOCOL_VERSION) {
    throw new InvalidEnvelopeError(
      `unsupported protocol version ${JSON.stringify(record.v)} (this worker speaks ${PROTOCOL_VERSION})`,
    );
  }
  for (const { field, check, required, expected } of FIELD_LIST) {
    const fieldValue = record[field];
    if (fieldValue === undefined) {
      if (required) throw new InvalidEnvelopeError(`missing field "${field}"`);
      continue;
    }
    if (!check(fieldValue)) throw new InvalidEnvelopeError(`field "${field}" must be ${expected}`);
  }
  return record as unknown as TaskEnvelope;
}

/**
 * Puts back what {@link encodeEnvelope} left out (an envelope of the older, full form has them all).
 * Only required fields, each to the one value whose absence it stands for.
 */
function restoreUsualFields(record: Record<string, unknown>): void {
  if (record.kwargs === undefined) record.kwargs = {};
  if (record.retries === undefined) record.retries = 0;
  if (record.rootId === undefined && record.id !== undefined) record.rootId = record.id;
}
