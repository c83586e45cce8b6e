import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { DeadLetter } from '../../../../lib/brokers/broker.interface.js';
import { PROTOCOL_VERSION, Task, type CeleriacModuleOptions } from '../../../../lib/index.js';
import type { TaskEnvelope } from '../../../../lib/protocol/task-envelope.js';
import { eventually } from '../../../conformance/conformance-helpers.js';
import { startWorkerApp, type WorkerApp } from '../../../support/worker-app.js';
import { AMQP_URL, deleteByPrefix } from '../../amqp/support/rabbit.js';
import { deleteKeys, inspector, REDIS_URL } from '../../redis/support/redis-env.js';

export const QUEUE = 'hostile';

/** What the hostile-message task ran with: a short label per call. */
export const ran: string[] = [];

@Injectable()
export class HostileTasks {
  @Task({ queue: QUEUE })
  record(label: unknown, extra: unknown = null): string {
    ran.push(typeof label === 'string' ? label.slice(0, 80) : JSON.stringify(label).slice(0, 80));
    return typeof extra === 'object' && extra !== null ? Object.keys(extra).join(',') : 'ok';
  }

  /** Fails its first attempt: its retry is a message the worker itself re-encodes. */
  @Task({ queue: QUEUE, retries: 1, backoff: 20 })
  flaky(label: string): string {
    if (!ran.includes(`flaky:${label}`)) {
      ran.push(`flaky:${label}`);
      throw new Error('first attempt fails');
    }
    return `retried:${label}`;
  }
}

/** One real broker a hardening spec runs on, and how to leave it clean. */
export interface BrokerTarget {
  name: 'memory' | 'redis' | 'amqp';
  options: CeleriacModuleOptions;
  cleanup(prefix: string): Promise<void>;
}

export const TARGETS: BrokerTarget[] = [
  { name: 'memory', options: {}, cleanup: () => Promise.resolve() },
  {
    name: 'redis',
    options: { broker: REDIS_URL },
    cleanup: async (prefix) => {
      const redis = inspector();
      try {
        await deleteKeys(redis, prefix);
      } finally {
        redis.disconnect();
      }
    },
  },
  { name: 'amqp', options: { broker: AMQP_URL }, cleanup: (prefix) => deleteByPrefix(prefix) },
];

/** A valid envelope of `HostileTasks.record`, as a raw producer would write it. */
export function envelopeOf(id: string, args: unknown[], kwargs: Record<string, unknown> = {}): TaskEnvelope {
  return {
    v: PROTOCOL_VERSION,
    id,
    task: 'HostileTasks.record',
    queue: QUEUE,
    args: args as TaskEnvelope['args'],
    kwargs: kwargs as TaskEnvelope['kwargs'],
    retries: 0,
    createdAt: Date.now(),
    rootId: id,
  };
}

export function newId(label: string): string {
  return `${label}-${randomUUID()}`;
}

/** The dead letter of `messageId`, once it is there. */
export function deadLetterOf(app: WorkerApp, messageId: string): Promise<DeadLetter> {
  return eventually(`a dead letter for ${messageId}`, async () => {
    const letters = await app.runtime.broker.deadLetters(QUEUE, 1_000);
    return letters.find((letter) => letter.messageId === messageId);
  });
}

/** A plain task sent through the client runs: the worker kept serving. */
export async function stillServes(app: WorkerApp, label: string): Promise<void> {
  const handle = await app.client.send(HostileTasks, 'record', [label]);
  await handle.wait({ timeout: 15_000 });
}

/**
 * A worker app serving the hostile queue on `target` for the tests of one describe block, started
 * before them and closed (its broker names removed) after them; read `app` inside the tests.
 */
export function hostileApp(target: BrokerTarget, options: CeleriacModuleOptions = {}): { app: WorkerApp } {
  const holder = {} as { app: WorkerApp };
  beforeAll(async () => {
    holder.app = await startWorkerApp([HostileTasks], {
      ...target.options,
      ...options,
      queues: { [QUEUE]: { pool: 'async', concurrency: 4 } },
    });
  });
  afterAll(async () => {
    await holder.app.close();
    await target.cleanup(holder.app.prefix);
  });
  return holder;
}
