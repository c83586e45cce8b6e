import { createHash } from 'node:crypto';
import { MAX_PRIORITY, MIN_PRIORITY } from '../celeriac.constants.js';
import { InvalidScheduleError } from '../errors/invalid-schedule.error.js';
import { toJsonSafe } from '../protocol/check-arguments.js';
import type { JsonValue } from '../protocol/json-value.js';
import { cadenceOf } from './schedule-cadence.js';
import { parseInterval } from './schedule-interval.js';
import type { ScheduleSpec } from './schedule-options.interface.js';

/** Where a schedule was declared: on a `@Task`, in the module options, or through `Scheduler`. */
export type ScheduleOrigin = 'task' | 'module' | 'dynamic';

/** A checked schedule, as the schedule store keeps it: plain JSON, intervals in ms. */
export interface ScheduleDefinition {
  id: string;
  task: string;
  origin: ScheduleOrigin;
  cron?: string;
  /** Interval in ms. */
  every?: number;
  timezone?: string;
  args: JsonValue[];
  catchUp: boolean;
  queue?: string;
  priority?: number;
  expires?: number;
}

const KNOWN_FIELDS = new Set([
  'task',
  'cron',
  'every',
  'timezone',
  'args',
  'catchUp',
  'queue',
  'priority',
  'expires',
]);

export const SCHEDULE_NOT_OBJECT =
  "a schedule must be an object such as { every: '5m' } or { cron: '0 2 * * *' }";

export function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a schedule and brings it to its stored form. Throws {@link InvalidScheduleError} naming the
 * field at fault; the task itself is checked against the registry elsewhere, where it is known.
 */
export function defineSchedule(id: string, spec: ScheduleSpec, origin: ScheduleOrigin): ScheduleDefinition {
  if (typeof id !== 'string' || id.trim() === '')
    throw new InvalidScheduleError('id: must be a non-empty string');
  if (!isPlainObject(spec)) throw new InvalidScheduleError(SCHEDULE_NOT_OBJECT);
  const unknown = Object.keys(spec).filter((key) => !KNOWN_FIELDS.has(key) && key !== 'id');
  if (unknown.length > 0) {
    throw new InvalidScheduleError(
      `unknown option(s) ${unknown.join(', ')} (known: ${[...KNOWN_FIELDS].join(', ')})`,
    );
  }
  if (typeof spec.task !== 'string' || spec.task === '') {
    throw new InvalidScheduleError('task: must be a registered task name');
  }
  cadenceOf(spec);
  const args = spec.args ?? [];
  if (!Array.isArray(args)) throw new InvalidScheduleError('args: must be an array');
  const definition: ScheduleDefinition = {
    id,
    task: spec.task,
    origin,
    args: jsonArgs(id, args),
    catchUp: spec.catchUp ?? true,
  };
  if (typeof definition.catchUp !== 'boolean')
    throw new InvalidScheduleError('catchUp: must be true or false');
  if (spec.cron !== undefined) definition.cron = spec.cron.trim();
  if (spec.every !== undefined) definition.every = parseInterval(spec.every);
  if (spec.timezone !== undefined) definition.timezone = spec.timezone;
  if (spec.queue !== undefined) {
    if (typeof spec.queue !== 'string' || spec.queue === '')
      throw new InvalidScheduleError('queue: must be a queue name');
    definition.queue = spec.queue;
  }
  if (spec.priority !== undefined) {
    if (!Number.isInteger(spec.priority) || spec.priority < MIN_PRIORITY || spec.priority > MAX_PRIORITY) {
      throw new InvalidScheduleError(`priority: must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}`);
    }
    definition.priority = spec.priority;
  }
  if (spec.expires !== undefined) {
    if (!Number.isInteger(spec.expires) || spec.expires <= 0)
      throw new InvalidScheduleError('expires: must be ms > 0');
    definition.expires = spec.expires;
  }
  return definition;
}

function jsonArgs(id: string, args: unknown[]): JsonValue[] {
  try {
    return toJsonSafe(args, `args of schedule "${id}"`) as JsonValue[];
  } catch (error) {
    throw new InvalidScheduleError((error as Error).message);
  }
}

/**
 * A fingerprint of everything that defines the schedule, so a node that starts with the same
 * declaration leaves the stored one (and its tick history) alone.
 */
export function digestOf(definition: ScheduleDefinition): string {
  return createHash('sha1').update(canonicalJson(definition)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
