import { type CeleriacEvent, isWorkerEvent } from '../../control/celeriac-event.js';

/** The longest event type (`task-rate-limited`): the type column is this wide. */
const TYPE_WIDTH = 17;
/** Room for a task name and its id (`ReportTasks.build[<uuid>]`) or a worker id. */
const SUBJECT_WIDTH = 60;

/**
 * One event as a line for people: time (ISO, UTC), type, subject (`Task.name[id]`, or the worker)
 * and details as `key=value`. A stream cannot know its widest cell in advance, so the first three
 * columns have fixed widths (a longer subject pushes the details right, two spaces after it).
 */
export function eventLine(event: CeleriacEvent): string {
  const subject = isWorkerEvent(event) ? event.worker : `${event.task ?? '?'}[${event.id ?? '?'}]`;
  return [new Date(event.at).toISOString(), event.type.padEnd(TYPE_WIDTH), subject.padEnd(SUBJECT_WIDTH)]
    .concat(details(event).join(' '))
    .join('  ')
    .trimEnd();
}

function details(event: CeleriacEvent): string[] {
  if (isWorkerEvent(event)) {
    return [
      `active=${event.active}`,
      `processed=${event.processed}`,
      `queues=${event.queues.map((queue) => `${queue.queue}(${queue.pool}×${queue.concurrency})`).join(',')}`,
      `load=${event.load.map((load) => load.toFixed(2)).join('/')}`,
    ];
  }
  const pairs: [string, unknown][] = [
    ['queue', event.queue],
    ['worker', event.worker],
    ['retries', event.retries || undefined],
    ['runtime', event.runtime === undefined ? undefined : `${event.runtime}ms`],
    ['wait', event.wait === undefined ? undefined : `${event.wait}ms`],
    ['eta', event.eta === undefined ? undefined : new Date(event.eta).toISOString()],
    ['progress', event.progress],
    ['args', event.args],
    ['error', event.error],
  ];
  return pairs
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
}
