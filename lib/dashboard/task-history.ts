import { TaskState } from '../backends/task-state.js';
import type { JsonValue } from '../protocol/json-value.js';
import type { TaskEventCall } from '../worker/task-event-call.js';
import type { TaskEvent, TaskEventType } from '../worker/task-events.js';

/** The most events kept per task (a task retried many times keeps its latest). */
const TIMELINE_LIMIT = 50;

/** What the dashboard lists about one task, from its events. */
export interface TaskSummary {
  id: string;
  task: string;
  queue: string;
  state: TaskState;
  retries: number;
  /** Epoch ms of the first event seen. */
  firstSeen: number;
  /** Epoch ms of the latest event. */
  updatedAt: number;
  /** Worker of the latest event that named one. */
  worker?: string;
  /** Run time of the latest finished attempt, in ms. */
  runtime?: number;
  /** Error message of the latest failed, retried or rejected attempt. */
  error?: string;
  /** The group the task is a member of. */
  group?: string;
  /** The latest progress the task reported (kept after it finished, unlike its record's). */
  progress?: JsonValue;
}

/** A group (or a chord's header) as its members' events tell. */
export interface WorkflowSummary {
  group: string;
  /** Members the group has (0 when no event told). */
  size: number;
  /** True when a chord callback runs once every member has finished. */
  chord: boolean;
  /** Members seen, by their latest state. */
  states: Partial<Record<TaskState, number>>;
  /** Members that finished (SUCCESS, FAILURE or REVOKED). */
  finished: number;
  firstSeen: number;
  updatedAt: number;
}

/** One event of a task's timeline. */
export type TimelineEntry = Pick<TaskEvent, 'type' | 'at' | 'worker' | 'runtime' | 'error' | 'retries'>;

/** Which filters `list` applies (all optional; names and queues match exactly). */
export interface TaskFilter {
  state?: string;
  task?: string;
  queue?: string;
  limit?: number;
}

const FINISHED = new Set<TaskState>([TaskState.SUCCESS, TaskState.FAILURE, TaskState.REVOKED]);

const STATE_OF: Partial<Record<TaskEventType, TaskState>> = {
  'task-sent': TaskState.PENDING,
  'task-received': TaskState.RECEIVED,
  'task-rate-limited': TaskState.RECEIVED,
  'task-started': TaskState.STARTED,
  'task-progress': TaskState.STARTED,
  'task-succeeded': TaskState.SUCCESS,
  'task-failed': TaskState.FAILURE,
  'task-retried': TaskState.RETRY,
  'task-revoked': TaskState.REVOKED,
  'task-rejected': TaskState.FAILURE,
};

/** What the dashboard knows about one task: its summary, its timeline and, once an event carried them, its arguments. */
export interface TaskHistoryEntry {
  summary: TaskSummary;
  timeline: TimelineEntry[];
  /** From `task-sent` or `task-received` (absent when larger than events carry). */
  call?: Pick<TaskEventCall, 'args' | 'kwargs'>;
}

type Entry = TaskHistoryEntry;

/**
 * The recent tasks as their events tell, newest first, up to `limit` tasks (the oldest is
 * forgotten first). It is a view of activity; a task's durable state is its record in the result
 * backend, which the dashboard reads for the detail.
 */
export class TaskHistory {
  private readonly entries = new Map<string, Entry>();
  /** Size and chord flag of each group, as the first member event that told them. */
  private readonly groups = new Map<string, { size: number; chord: boolean }>();

  constructor(private readonly limit = 1_000) {}

  /** Takes one event into account; returns the task's summary after it (undefined for events without a task id). */
  observe(event: TaskEvent): TaskSummary | undefined {
    const state = STATE_OF[event.type];
    if (event.id === undefined || !state) return undefined;
    let entry = this.entries.get(event.id);
    if (!entry) {
      entry = { summary: newSummary(event, state), timeline: [] };
      this.entries.set(event.id, entry);
      if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
    }
    apply(entry.summary, event, state);
    if (event.args)
      entry.call = event.kwargs ? { args: event.args, kwargs: event.kwargs } : { args: event.args };
    if (event.group !== undefined) this.noteGroup(entry.summary, event);
    entry.timeline.push(timelineEntry(event));
    if (entry.timeline.length > TIMELINE_LIMIT) entry.timeline.shift();
    return { ...entry.summary };
  }

  list(filter: TaskFilter = {}): TaskSummary[] {
    const limit = filter.limit ?? 100;
    const found: TaskSummary[] = [];
    for (const { summary } of [...this.entries.values()].reverse()) {
      if (filter.state && summary.state !== filter.state) continue;
      if (filter.task && summary.task !== filter.task) continue;
      if (filter.queue && summary.queue !== filter.queue) continue;
      found.push({ ...summary });
      if (found.length >= limit) break;
    }
    return found;
  }

  /** Groups with a member among the recent tasks, newest first. */
  workflows(limit = 50): WorkflowSummary[] {
    const found = new Map<string, WorkflowSummary>();
    for (const { summary } of this.entries.values()) {
      if (summary.group === undefined) continue;
      let workflow = found.get(summary.group);
      if (!workflow) {
        const known = this.groups.get(summary.group);
        workflow = {
          group: summary.group,
          size: known?.size ?? 0,
          chord: known?.chord ?? false,
          states: {},
          finished: 0,
          firstSeen: summary.firstSeen,
          updatedAt: summary.updatedAt,
        };
        found.set(summary.group, workflow);
      }
      workflow.states[summary.state] = (workflow.states[summary.state] ?? 0) + 1;
      if (FINISHED.has(summary.state)) workflow.finished++;
      workflow.firstSeen = Math.min(workflow.firstSeen, summary.firstSeen);
      workflow.updatedAt = Math.max(workflow.updatedAt, summary.updatedAt);
    }
    return [...found.values()].sort((a, b) => b.firstSeen - a.firstSeen).slice(0, limit);
  }

  private noteGroup(summary: TaskSummary, event: TaskEvent): void {
    const group = event.group!;
    summary.group = group;
    const known = this.groups.get(group);
    if (!known || (known.size === 0 && event.groupSize)) {
      this.groups.set(group, { size: event.groupSize ?? 0, chord: event.chord === true });
      // The oldest group is forgotten first, as tasks are, so the map stays bounded.
      if (this.groups.size > this.limit) this.groups.delete(this.groups.keys().next().value!);
    }
  }

  get(id: string): TaskHistoryEntry | undefined {
    const entry = this.entries.get(id);
    return entry && { summary: { ...entry.summary }, timeline: [...entry.timeline], call: entry.call };
  }
}

function newSummary(event: TaskEvent, state: TaskState): TaskSummary {
  return {
    id: event.id!,
    task: event.task ?? 'unknown',
    queue: event.queue,
    state,
    retries: event.retries ?? 0,
    firstSeen: event.at,
    updatedAt: event.at,
  };
}

function apply(summary: TaskSummary, event: TaskEvent, state: TaskState): void {
  // The producer reports a send once the broker confirmed it, which may be after a fast worker
  // already started or finished the task: a send never moves a task back to PENDING.
  if (event.type !== 'task-sent') summary.state = state;
  summary.updatedAt = Math.max(summary.updatedAt, event.at);
  if (event.task) summary.task = event.task;
  if (event.retries !== undefined) summary.retries = Math.max(summary.retries, event.retries);
  if (event.worker) summary.worker = event.worker;
  if (event.runtime !== undefined) summary.runtime = event.runtime;
  if (event.error !== undefined) summary.error = event.error;
  if (event.progress !== undefined) summary.progress = event.progress;
  if (state === TaskState.SUCCESS) delete summary.error;
}

function timelineEntry(event: TaskEvent): TimelineEntry {
  const entry: TimelineEntry = { type: event.type, at: event.at };
  if (event.worker) entry.worker = event.worker;
  if (event.runtime !== undefined) entry.runtime = event.runtime;
  if (event.error !== undefined) entry.error = event.error;
  if (event.retries !== undefined) entry.retries = event.retries;
  return entry;
}
