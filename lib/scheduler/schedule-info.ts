import type { TaskState } from '../backends/task-state.js';
import type { ScheduleDefinition } from './schedule-definition.js';

/** One schedule as `Scheduler.list()` shows it: its definition, its latest tick and its next one. */
export interface ScheduleInfo extends ScheduleDefinition {
  paused: boolean;
  /** Time of the latest tick fired (claimed by a beat node). */
  lastFireAt?: Date;
  /** Id of the task fired for that tick. */
  lastTaskId?: string;
  /** State of that task, while its record is kept (the result TTL). */
  lastState?: TaskState;
  /** The beat node that fired it. */
  lastFiredBy?: string;
  /** When the next tick fires (now, for a missed tick about to be caught up); none while paused. */
  nextFireAt?: Date;
}
