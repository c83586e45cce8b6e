import { randomUUID } from 'node:crypto';
import type { ResolvedCeleriacOptions, ResolvedQueueOptions } from '../celeriac-options.interface.js';

/**
 * The application's own Celeriac options, moved onto the embedded broker and backend under a
 * namespace of their own (so two testing modules in one jest file never share a message), with
 * every queue on an in-process pool: a `threads` / `processes` child would re-run jest's entry.
 * The queue table, task options, limits and logger stay the application's.
 */
export function testingOptions(options: ResolvedCeleriacOptions): ResolvedCeleriacOptions {
  return {
    ...options,
    broker: 'memory://',
    backend: 'memory://',
    prefix: `celeriac-test-${randomUUID()}`,
    producerOnly: false,
    beat: false,
    // The in-process worker consumes every queue; with `worker: false` tasks are only recorded.
    unconsumedQueueWarning: false,
    brokerOptions: {},
    backendOptions: {},
    queues: Object.fromEntries(
      Object.entries(options.queues).map(([name, queue]) => [name, inProcessQueue(queue)]),
    ),
  };
}

function inProcessQueue(queue: ResolvedQueueOptions): ResolvedQueueOptions {
  if (queue.pool !== 'threads' && queue.pool !== 'processes') return queue;
  return { pool: 'async', concurrency: queue.concurrency, protocol: queue.protocol };
}
