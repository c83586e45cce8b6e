import { Injectable } from '@nestjs/common';
import { CeleriacRuntime } from '../celeriac.runtime.js';
import { type ConsumersHealth, consumersHealth } from './consumers-health.js';

/** `up` when the part answered within the time allowed. */
export type HealthStatus = 'up' | 'down';

/** One part of the check: the broker or the result backend. */
export interface PartHealth {
  status: HealthStatus;
  /** `redis`, `amqp`, `memory`. */
  kind: string;
  /** Round trip of the probe, when it answered. */
  latencyMs?: number;
  /** Why it is down (no password: URLs are redacted by the broker's own errors). */
  error?: string;
}

/** What `CeleriacHealth.check()` reports, and the body of the plain `/health` route. */
export interface CeleriacHealthReport {
  status: HealthStatus;
  broker: PartHealth;
  backend: PartHealth;
  /** This process's workers' consumers; absent on a node that runs no worker. */
  consumers?: ConsumersHealth;
}

/** How long a probe may take before its part counts as down. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 2_000;

/**
 * Whether this process's broker and result backend answer: one real round trip to each (the
 * counts of a configured queue; a record read), each bounded by a timeout so a frozen server
 * reports `down` instead of hanging the probe. On a node that runs workers, also whether each
 * queue they consume has a consumer that receives now.
 */
@Injectable()
export class CeleriacHealth {
  constructor(private readonly runtime: CeleriacRuntime) {}

  async check(timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS): Promise<CeleriacHealthReport> {
    const { broker, backend, options } = this.runtime;
    const queue = Object.keys(options.queues)[0];
    const [brokerHealth, backendHealth] = await Promise.all([
      probe(broker.kind, timeoutMs, () => broker.stats(queue)),
      probe(backend.kind, timeoutMs, () => backend.get('celeriac-health-probe')),
    ]);
    // Asked after the probes: a server that just went away has by then closed the consumers' sockets too.
    const consumers = consumersHealth(this.runtime.attachedWorkers);
    const parts = [brokerHealth, backendHealth, ...(consumers ? [consumers] : [])];
    const status = parts.every((part) => part.status === 'up') ? 'up' : 'down';
    return { status, broker: brokerHealth, backend: backendHealth, ...(consumers && { consumers }) };
  }
}

async function probe(kind: string, timeoutMs: number, call: () => Promise<unknown>): Promise<PartHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([call(), timeout]);
    return { status: 'up', kind, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { status: 'down', kind, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
