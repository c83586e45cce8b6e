import type { ResultBackend } from '../backends/result-backend.interface.js';
import type { StoredSchedule } from '../backends/schedule-store.interface.js';
import { nextTick } from './next-tick.js';
import { cadenceOf } from './schedule-cadence.js';
import type { ScheduleDefinition } from './schedule-definition.js';
import type { ScheduleInfo } from './schedule-info.js';

/** Most upcoming times {@link nextFireTimes} lists at once. */
export const MAX_NEXT = 1_000;

/**
 * One stored schedule as `Scheduler.list()` and `celeriac schedules` show it: its definition, its
 * latest fire with that task's state (while its record is kept), and when the next tick fires.
 */
export async function describeSchedule(
  stored: StoredSchedule,
  backend: ResultBackend,
  now: number,
): Promise<ScheduleInfo> {
  const { definition, last, paused } = stored;
  const record = last && (await backend.get(last.taskId).catch(() => undefined));
  const base = Math.max(last?.at ?? -Infinity, stored.since);
  const tick = paused ? undefined : nextTick(cadenceOf(definition), base, definition.catchUp, now);
  return {
    ...definition,
    paused,
    lastFireAt: last && new Date(last.at),
    lastTaskId: last?.taskId,
    lastState: record?.state,
    lastFiredBy: last?.by,
    nextFireAt: tick && new Date(tick.dueAt),
  };
}

/** The next `count` times a schedule's cadence fires after `now` (whether or not it is paused). */
export function nextFireTimes(definition: ScheduleDefinition, count: number, now: number): Date[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_NEXT) {
    throw new RangeError(`next: count must be an integer from 1 to ${MAX_NEXT}`);
  }
  const cadence = cadenceOf(definition);
  const times: Date[] = [];
  for (let at: number | undefined = now; times.length < count;) {
    at = cadence.next(at);
    if (at === undefined) break;
    times.push(new Date(at));
  }
  return times;
}

/** Orders schedule views by id, as every listing shows them. */
export function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
