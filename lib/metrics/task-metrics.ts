import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TaskEvent, TaskEventType } from '../worker/task-events.js';

/** Run times from a few milliseconds to several minutes, in seconds. */
export const DEFAULT_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
];

/** What a counter's `state` label says for each event type (progress is not counted). */
const STATE_OF: Partial<Record<TaskEventType, string>> = {
  'task-sent': 'sent',
  'task-received': 'received',
  'task-rate-limited': 'rate_limited',
  'task-started': 'started',
  'task-succeeded': 'succeeded',
  'task-failed': 'failed',
  'task-retried': 'retried',
  'task-revoked': 'revoked',
  'task-rejected': 'rejected',
  'task-lease-lost': 'lease_lost',
};

/** Events after which an attempt no longer runs. */
const ENDS_ATTEMPT = new Set<TaskEventType>([
  'task-succeeded',
  'task-failed',
  'task-retried',
  'task-revoked',
  'task-rejected',
  'task-lease-lost',
]);

/** A task name for labels: a message whose body said none (garbage) is counted as `unknown`. */
const taskLabel = (event: TaskEvent): string => event.task ?? 'unknown';

/**
 * The task counters, histograms and gauges that events feed: one series per task name, queue and
 * state, never per task id, so cardinality stays bounded by the application's own tasks.
 */
export class TaskMetrics {
  private readonly tasks: Counter<'task' | 'queue' | 'state'>;
  private readonly retries: Counter<'task' | 'queue'>;
  private readonly deadLetters: Counter<'queue'>;
  private readonly duration: Histogram<'task' | 'queue' | 'state'>;
  private readonly wait: Histogram<'task' | 'queue'>;
  private readonly active: Gauge<'task' | 'queue'>;
  /** Attempts running now, by task id, so a redelivered or revoked task is not counted twice. */
  private readonly running = new Map<string, { task: string; queue: string }>();

  constructor(registry: Registry, prefix: string, durationBuckets = DEFAULT_DURATION_BUCKETS) {
    const registers = [registry];
    this.tasks = new Counter({
      name: `${prefix}tasks_total`,
      help: 'Task events by task name, queue and state (sent, received, started, succeeded, failed, retried, revoked, rejected, rate_limited, lease_lost).',
      labelNames: ['task', 'queue', 'state'],
      registers,
    });
    this.retries = new Counter({
      name: `${prefix}retries_total`,
      help: 'Failed attempts that will be retried, by task name and queue.',
      labelNames: ['task', 'queue'],
      registers,
    });
    this.deadLetters = new Counter({
      name: `${prefix}dead_letters_total`,
      help: 'Messages dead-lettered (unknown task, malformed, poison, refused), by queue.',
      labelNames: ['queue'],
      registers,
    });
    this.duration = new Histogram({
      name: `${prefix}task_duration_seconds`,
      help: 'Run time of finished attempts, by task name, queue and outcome (succeeded, failed, retried).',
      labelNames: ['task', 'queue', 'state'],
      buckets: durationBuckets,
      registers,
    });
    this.wait = new Histogram({
      name: `${prefix}task_wait_seconds`,
      help: 'Time from when a task was due (sent, or its countdown, ETA or retry time) to its start, by task name and queue.',
      labelNames: ['task', 'queue'],
      buckets: durationBuckets,
      registers,
    });
    this.active = new Gauge({
      name: `${prefix}tasks_active`,
      help: 'Attempts running now, by task name and queue.',
      labelNames: ['task', 'queue'],
      registers,
    });
  }

  observe(event: TaskEvent): void {
    const state = STATE_OF[event.type];
    if (!state) return;
    const labels = { task: taskLabel(event), queue: event.queue };
    this.tasks.inc({ ...labels, state });
    if (event.type === 'task-retried') this.retries.inc(labels);
    if (event.type === 'task-rejected') this.deadLetters.inc({ queue: event.queue });
    if (event.runtime !== undefined && ENDS_ATTEMPT.has(event.type)) {
      this.duration.observe({ ...labels, state }, event.runtime / 1_000);
    }
    if (event.type === 'task-started' && event.wait !== undefined)
      this.wait.observe(labels, event.wait / 1_000);
    this.track(event, labels);
  }

  private track(event: TaskEvent, labels: { task: string; queue: string }): void {
    if (event.id === undefined) return;
    if (event.type === 'task-started' && !this.running.has(event.id)) {
      this.running.set(event.id, labels);
      this.active.inc(labels);
    } else if (ENDS_ATTEMPT.has(event.type)) {
      const started = this.running.get(event.id);
      if (!started) return;
      this.running.delete(event.id);
      this.active.dec(started);
    }
  }
}
