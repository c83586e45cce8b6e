import type { OutageLog } from '../outage-log.js';
import { whenReady, type RedisClient } from '../../redis/redis-connection.js';
import { blockingMarginOf } from '../../redis/redis-deadlines.js';

const RECONNECT_CHECK_MS = 1_000;

/** What a consumer waiting for Redis to answer again tells and asks. */
export interface AnsweringWait {
  readonly commandClient: RedisClient;
  readonly outages: OutageLog;
  /** The consumer (its key in the outage log). */
  readonly owner: object;
  readonly what: string;
  stopped(): boolean;
}

/**
 * A blocking read that ended with no reply well past its block time: ioredis cut a read Redis left
 * unanswered (frozen server), not Redis timing it out.
 */
export function cutByDeadline(blocking: RedisClient, startedAt: number, blockMs: number): boolean {
  return Date.now() - startedAt >= blockMs + blockingMarginOf(blocking) / 2;
}

/**
 * Waits until Redis answers again before the next fetch. A fetch cut by its deadline on a frozen
 * server still runs when the server thaws, and takes messages for a reply nobody reads; a PING that
 * times out takes nothing. Each unanswered PING reports the outage (logged once per outage).
 */
export async function untilAnswering(wait: AnsweringWait): Promise<void> {
  while (!wait.stopped()) {
    await whenReady(wait.commandClient, RECONNECT_CHECK_MS);
    try {
      await wait.commandClient.ping();
      return;
    } catch (error) {
      wait.outages.down(wait.owner, `${wait.what}: no answer: ${(error as Error).message}`);
      // Timed out, or refused (LOADING): ask again a little later, not in a tight loop.
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_CHECK_MS));
    }
  }
}
