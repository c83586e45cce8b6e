import { hostname, loadavg } from 'node:os';
import { redactUrl } from '../brokers/broker-url.js';
import type { WorkerQueueState } from '../control/celeriac-event.js';
import type { RegisteredTaskInfo, WorkerConf, WorkerStats } from '../control/control-commands.js';
import { TaskRevokedError } from '../errors/task-revoked.error.js';
import { formatRateLimit } from './rate-limiter.js';
import type { TaskExecutor } from './task.executor.js';
import type { ControlledWorker } from './worker-control.js';
import type { WorkerQueues } from './worker-queues.js';
import type { WorkerRuntime } from './worker-runtime.interface.js';

/** What the control target reads of the worker it serves. */
export interface ControlTargetParts {
  id: string;
  runtime: WorkerRuntime;
  executor: TaskExecutor;
  queues: WorkerQueues;
  startedAt: number;
  heartbeatMs: number;
  requestShutdown(): void;
}

/** Each queue's pool, and how many of its deliveries the executor holds. */
export function heldQueueStates(executor: TaskExecutor, queues: WorkerQueues): WorkerQueueState[] {
  const held = new Map<string, number>();
  for (const task of executor.held()) held.set(task.queue, (held.get(task.queue) ?? 0) + 1);
  return queues.states((queue) => held.get(queue) ?? 0);
}

/** A running worker as remote control sees it: the `ControlledWorker` of `workerControlHandlers`. */
export function controlTarget(parts: ControlTargetParts): ControlledWorker {
  const { runtime, executor, queues } = parts;
  const queueStates = (): WorkerQueueState[] => heldQueueStates(executor, queues);
  return {
    held: () => executor.held(),
    registered: () =>
      runtime.registry.all().map((definition): RegisteredTaskInfo => {
        const info: RegisteredTaskInfo = {
          name: definition.name,
          queue: definition.queue,
          retries: definition.retries,
        };
        const rate = executor.overrides().rateLimits[definition.name];
        const limit =
          rate === undefined ? definition.rateLimit && formatRateLimit(definition.rateLimit) : rate;
        if (limit) info.rateLimit = limit;
        const timeLimit = executor.timeLimitOf(definition);
        if (timeLimit) info.timeLimit = timeLimit;
        return info;
      }),
    stats: (): WorkerStats => {
      const memory = process.memoryUsage();
      return {
        worker: parts.id,
        hostname: hostname(),
        pid: process.pid,
        startedAt: parts.startedAt,
        uptimeMs: Date.now() - parts.startedAt,
        processed: executor.processedCount,
        active: executor.activeCount,
        load: (process.platform === 'win32' ? [0, 0, 0] : loadavg()) as [number, number, number],
        memory: { rss: memory.rss, heapUsed: memory.heapUsed },
        queues: queueStates(),
        overrides: executor.overrides(),
        broker: runtime.broker.kind,
      };
    },
    queueStates,
    conf: (): WorkerConf => {
      const { options } = runtime;
      const table: WorkerConf['queues'] = {};
      for (const state of queueStates()) {
        table[state.queue] = {
          pool: state.pool,
          concurrency: state.concurrency,
          consuming: queues.consuming(state.queue),
        };
      }
      return {
        broker: redactUrl(options.broker),
        backend: redactUrl(options.backend),
        prefix: options.prefix,
        events: options.events,
        heartbeatMs: parts.heartbeatMs,
        resultTtl: options.resultTtl,
        maxDeliveries: options.maxDeliveries,
        trackStarted: options.trackStarted,
        queues: table,
      };
    },
    revoke: async (ids, terminate) => {
      const held: string[] = [];
      for (const id of ids) if (await executor.abort(id, new TaskRevokedError(id), terminate)) held.push(id);
      return held;
    },
    knowsTask: (task) => runtime.registry.find(task) !== undefined,
    setRateLimit: (task, limit) => executor.setRateLimit(task, limit),
    setTimeLimit: (task, ms) => executor.setTimeLimit(task, ms),
    addConsumer: (queue) => queues.add(queue),
    cancelConsumer: (queue) => queues.cancel(queue),
    resize: async (queue, concurrency) => {
      await queues.resize(queue, concurrency);
      return queueStates().find((state) => state.queue === queue)!;
    },
    requestShutdown: () => parts.requestShutdown(),
  };
}
