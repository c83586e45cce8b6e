import { parentPort, workerData } from 'node:worker_threads';
import { connectClient, createBareRedisClient } from '../../redis/redis-client.js';
import { formatDelay } from '../../logging/attempt-label.js';
import { LeaseKeeper } from './lease-keeper.js';
import {
  applyLeaseChanges,
  LEASE_THREAD_DATA_KEY,
  type FromLeaseThread,
  type LeaseThreadData,
  type ToLeaseThread,
} from './lease-thread.messages.js';
import { QueueScripts } from './queue-scripts.js';
import { queueKeys } from './redis-keys.js';

/**
 * The lease thread's side (it runs in a worker thread, see `LeaseThread`): renews the leases the
 * event loop holds, on a connection of its own, so a task that blocks the loop keeps its delivery.
 * Renewal is kept up while the loop has been heard from within `maxStallMs`; past that the process
 * is taken for wedged and its leases are left to end, so its work goes back to the queue.
 */
export function runLeaseThread(): void {
  const port = parentPort;
  if (!port) throw new Error('runLeaseThread() runs in a worker thread');
  const data = (workerData as Record<string, LeaseThreadData>)[LEASE_THREAD_DATA_KEY];
  const post = (message: FromLeaseThread): void => port.postMessage(message);
  const warn = (message: unknown): void => post({ kind: 'warn', message: String(message) });
  // A bare client (redis-client.ts loads nothing of Nest, so the thread stays small) and silent:
  // the event loop's own connections report an outage of the same server, once. The listener
  // keeps ioredis from printing "Unhandled error event" at each retry.
  const client = createBareRedisClient(data.url, data.extra, 'command', 'lease');
  client.on('error', () => undefined);
  const scripts = new QueueScripts(() => client);
  let heardAt = Date.now();
  let givenUp = false;
  const keeper = new LeaseKeeper(
    data.renewEveryMs,
    (queue, pairs) => scripts.renew(queueKeys(data.prefix, queue), data.leaseMs, pairs),
    { warn },
    {
      lost: (queue, mid, token) => post({ kind: 'lost', queue, mid, token }),
      renewing: () => {
        const silent = Date.now() - heardAt;
        if (silent <= data.maxStallMs) return true;
        if (!givenUp)
          warn(
            `the event loop has not answered for ${formatDelay(silent)} (maxStallMs ${formatDelay(data.maxStallMs)}): ` +
              'its leases are no longer renewed, so its deliveries go to other workers when they end',
          );
        givenUp = true;
        return false;
      },
    },
  );
  const connected = connectClient(client)
    .catch((error: Error) => warn(`lease thread cannot reach Redis yet (${error.message}); renewals retry`))
    .finally(() => post({ kind: 'ready' }));
  port.on('message', (message: ToLeaseThread) => {
    heardAt = Date.now();
    givenUp = false;
    if (typeof message === 'string') {
      applyLeaseChanges(
        message,
        (queue, mid, token) => keeper.hold(queue, mid, token),
        (queue, mid) => keeper.release(queue, mid),
      );
    } else if (message.kind === 'stop') {
      keeper.stop();
      port.close();
      void connected.then(() => client.quit().catch(() => client.disconnect()));
    }
  });
}
