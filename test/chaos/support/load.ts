import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  BrokerUnavailableError,
  CeleriacModule,
  type CeleriacModuleOptions,
  TaskClient,
} from '../../../lib/index.js';
import { ChaosTasks } from './chaos-tasks.js';
import type { Ledger } from './ledger.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A producer-only application, the way an API node sends tasks. */
export async function startProducer(options: CeleriacModuleOptions): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [CeleriacModule.forRoot({ ...options, producerOnly: true })],
  }).compile();
  return moduleRef.init();
}

/** Which task each send is: mostly I/O, some that fail and retry. */
export type TaskMix = (index: number) => { method: 'io' | 'flaky'; args: [number] };

export const DEFAULT_MIX: TaskMix = (index) =>
  index % 5 === 4 ? { method: 'flaky', args: [1] } : { method: 'io', args: [20 + (index % 7) * 10] };

/** I/O only: no retry and no countdown, so nothing passes through a broker's delay queues. */
export const IO_ONLY_MIX: TaskMix = (index) => ({ method: 'io', args: [20 + (index % 7) * 10] });

/** Sends one ChaosTasks task under a fresh id recorded in the ledger; resolves with the id. */
export async function sendOne(
  client: TaskClient,
  ledger: Ledger,
  method: 'io' | 'busy' | 'blockOnce',
  args: [number],
): Promise<string> {
  const id = `${method}-${randomUUID().slice(0, 8)}`;
  ledger.attempt(id);
  await client.send(ChaosTasks, method, args, { taskId: id });
  ledger.settle(id, 'confirmed');
  return id;
}

export interface LoadOptions {
  count: number;
  /** Sends in flight at once. */
  lanes?: number;
  /** Pause of each lane between sends, to spread the load over the fault. */
  pauseMs?: number;
  /** A refused send is retried (same task id) until this long after its first attempt. */
  retryForMs?: number;
  mix?: TaskMix;
}

/**
 * Sends `count` tasks, each under an id recorded in the ledger; a send refused with
 * `BrokerUnavailableError` is retried with the same id, as an at-least-once producer does, until
 * confirmed or `retryForMs` has passed. Resolves when every send has ended one way or the other.
 */
export async function sendLoad(client: TaskClient, ledger: Ledger, options: LoadOptions): Promise<void> {
  const { count, lanes = 8, pauseMs = 10, retryForMs = 30_000, mix = DEFAULT_MIX } = options;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      const id = `t${index}-${randomUUID().slice(0, 8)}`;
      const { method, args } = mix(index);
      const giveUpAt = Date.now() + retryForMs;
      for (;;) {
        ledger.attempt(id);
        try {
          await client.send(ChaosTasks, method, args, { taskId: id });
          ledger.settle(id, 'confirmed');
          break;
        } catch (error) {
          ledger.settle(id, 'refused');
          if (!(error instanceof BrokerUnavailableError) || Date.now() > giveUpAt) break;
          await sleep(100);
        }
      }
      await sleep(pauseMs);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}
