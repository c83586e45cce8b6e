import type { JsonValue } from '../../protocol/json-value.js';
import type { TaskErrorInfo, TaskRecord } from '../task-record.js';
import { isReadyState, TaskState } from '../task-state.js';
import type { RecordFormat } from './record-format.js';
import { parseRecordJson } from './record-json.js';

/** States whose Celery `result` is an exception record. */
const EXCEPTION_STATES = new Set<string>([TaskState.FAILURE, TaskState.RETRY, TaskState.REVOKED]);
const STATES = new Set<string>(Object.values(TaskState));

/**
 * A module no Python process has loaded: Celery then builds an exception class of the stored name
 * (under `celery.exceptions`) instead of importing anything, so type and message reach Python intact.
 */
const EXC_MODULE = 'celeriac';

/** Celeriac's fields that Celery's record has no place for, kept beside Celery's keys. */
interface CeleriacExtras {
  updatedAt?: number;
  rootId?: string;
  group?: string;
  progress?: JsonValue;
}

/**
 * Celery's result record (`celery-task-meta-<id>`, as Celery's Redis backend writes it), so
 * `AsyncResult(id).get()` in Python reads what Celeriac stored and `TaskHandle.wait()` reads what
 * Celery stored. Errors cross as `{exc_type, exc_message, exc_module}` and are only ever read as
 * text: a stored record is untrusted input (CVE-2021-23727), never resolved to code.
 */
export const celeryRecordFormat: RecordFormat = {
  name: 'celery',
  key: (_prefix, taskId) => `celery-task-meta-${taskId}`,

  encode(record: TaskRecord): string {
    const extras: CeleriacExtras = {
      updatedAt: record.updatedAt,
      rootId: record.rootId,
      group: record.group,
      progress: record.progress,
    };
    return JSON.stringify({
      status: record.state,
      result: resultOf(record),
      traceback: record.error?.stack ?? null,
      children: [],
      date_done: isReadyState(record.state) ? new Date(record.updatedAt).toISOString().slice(0, -1) : null,
      task_id: record.id,
      ...(record.parentId && { parent_id: record.parentId }),
      // Celery's `result_extended` fields.
      name: record.task,
      queue: record.queue,
      retries: record.retries,
      celeriac: extras,
    });
  },

  decode(raw: string, taskId: string): TaskRecord {
    const meta = parseRecordJson(raw, taskId);
    const extras = (isObject(meta.celeriac) ? meta.celeriac : {}) as CeleriacExtras;
    const status = typeof meta.status === 'string' ? meta.status : TaskState.PENDING;
    // A custom Celery state (say PROGRESS) is a running task reporting progress.
    const state = (STATES.has(status) ? status : TaskState.STARTED) as TaskState;
    const record: TaskRecord = {
      id: typeof meta.task_id === 'string' ? meta.task_id : '',
      state,
      task: typeof meta.name === 'string' ? meta.name : '',
      queue: typeof meta.queue === 'string' ? meta.queue : '',
      retries: Number.isInteger(meta.retries) ? (meta.retries as number) : 0,
      updatedAt: extras.updatedAt ?? timeOf(meta.date_done) ?? Date.now(),
    };
    if (state === TaskState.SUCCESS) record.result = (meta.result ?? null) as JsonValue;
    if (EXCEPTION_STATES.has(state)) record.error = errorOf(meta.result, meta.traceback);
    if (!STATES.has(status)) record.progress = (meta.result ?? null) as JsonValue;
    else if (extras.progress !== undefined) record.progress = extras.progress;
    if (typeof meta.parent_id === 'string') record.parentId = meta.parent_id;
    if (extras.rootId !== undefined) record.rootId = extras.rootId;
    if (extras.group !== undefined) record.group = extras.group;
    return record;
  },
};

function resultOf(record: TaskRecord): JsonValue {
  if (record.state === TaskState.SUCCESS) return record.result ?? null;
  if (EXCEPTION_STATES.has(record.state)) {
    const error = record.error ?? { name: 'Error', message: `task ended ${record.state}` };
    return { exc_type: error.name, exc_message: [error.message], exc_module: EXC_MODULE };
  }
  return null;
}

/** The type and message of a Celery exception record, as plain text. */
function errorOf(result: unknown, traceback: unknown): TaskErrorInfo {
  const exc = isObject(result) ? result : {};
  const name = typeof exc.exc_type === 'string' && exc.exc_type !== '' ? exc.exc_type : 'Error';
  const info: TaskErrorInfo = {
    name,
    message: messageOf(exc.exc_message ?? (isObject(result) ? '' : result)),
  };
  if (typeof traceback === 'string' && traceback !== '') info.stack = traceback;
  return info;
}

/** Celery stores the exception's args: usually `[message]`. */
function messageOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value))
    return value.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(', ');
  return value === null || value === undefined ? '' : JSON.stringify(value);
}

/** Celery writes `datetime.utcnow().isoformat()`: UTC without an offset. */
function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
