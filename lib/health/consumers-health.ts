import type { CeleriacWorker } from '../worker/celeriac.worker.js';
import type { HealthStatus } from './celeriac-health.js';

/** One queue a worker of this process consumes. */
export interface QueueConsumerHealth {
  queue: string;
  /** The worker's id in events and remote control. */
  worker?: string;
  status: HealthStatus;
  /** Why its consumer receives nothing now (the broker cut it and it has not come back). */
  error?: string;
}

/** The consumers of this process's workers; `down` when any is, or a worker is not consuming. */
export interface ConsumersHealth {
  status: HealthStatus;
  queues: QueueConsumerHealth[];
  /** Every reason for `down`, joined. */
  error?: string;
}

/**
 * Asks each worker of the process what its consumers know of themselves (no broker round trip: a
 * consumer learns of a cut connection, a closed channel or failing fetches as they happen).
 * Undefined on an API-only node, which runs no worker. A worker still starting or shutting down
 * counts as down, so a readiness probe sends no traffic to it.
 */
export function consumersHealth(workers: readonly CeleriacWorker[]): ConsumersHealth | undefined {
  if (workers.length === 0) return undefined;
  const queues: QueueConsumerHealth[] = [];
  const problems: string[] = [];
  for (const worker of workers) {
    const { phase, queues: consumed } = worker.consumers();
    const name = worker.id ?? 'a worker';
    if (phase === 'starting') problems.push(`${name} is not consuming yet`);
    if (phase === 'closing') problems.push(`${name} is shutting down`);
    for (const { queue, liveness } of consumed) {
      const entry: QueueConsumerHealth = { queue, worker: worker.id, status: 'up' };
      if (!liveness.alive) {
        entry.status = 'down';
        entry.error = liveness.reason;
        problems.push(`queue "${queue}": ${liveness.reason}`);
      }
      queues.push(entry);
    }
  }
  if (problems.length === 0) return { status: 'up', queues };
  return { status: 'down', queues, error: problems.join('; ') };
}
