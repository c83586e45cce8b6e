import type { WorkerQueueState } from '../control/celeriac-event.js';
import type {
  ControlCommandName,
  ControlCommands,
  HeldTaskInfo,
  RegisteredTaskInfo,
  WorkerConf,
  WorkerStats,
} from '../control/control-commands.js';
import type { ControlHandler } from '../control/control-server.js';
import { parseRateLimit, type RateLimit } from '../decorators/rate-limit.js';
import type { JsonValue } from '../protocol/json-value.js';

/** What remote control reads and changes on a worker. */
export interface ControlledWorker {
  held(): HeldTaskInfo[];
  registered(): RegisteredTaskInfo[];
  stats(): WorkerStats;
  queueStates(): WorkerQueueState[];
  conf(): WorkerConf;
  /** Aborts the held tasks among `ids`; returns those it held. */
  revoke(ids: string[], terminate: boolean): Promise<string[]>;
  knowsTask(task: string): boolean;
  setRateLimit(task: string, limit: RateLimit | null | undefined): void;
  setTimeLimit(task: string, ms: number | null | undefined): void;
  addConsumer(queue: string): Promise<boolean>;
  cancelConsumer(queue: string): Promise<boolean>;
  resize(queue: string, concurrency: number): Promise<WorkerQueueState>;
  /** Starts a graceful shutdown (after the reply is sent). */
  requestShutdown(): void;
}

type Args = { [key: string]: JsonValue };
type Handlers = {
  [C in ControlCommandName]: (
    args: Args,
  ) => ControlCommands[C]['reply'] | Promise<ControlCommands[C]['reply']>;
};

function text(args: Args, name: string): string {
  const value = args[name];
  if (typeof value !== 'string' || value === '') throw new TypeError(`"${name}" must be a non-empty string`);
  return value;
}

function taskOf(worker: ControlledWorker, args: Args): string {
  const task = text(args, 'task');
  if (!worker.knowsTask(task)) throw new Error(`unknown task "${task}" on this worker`);
  return task;
}

/**
 * The built-in commands, Celery's names where Celery has one: each checks its arguments (a bad one
 * is an error reply, never a crash) and acts on the worker.
 */
export function workerControlHandlers(worker: ControlledWorker): Record<string, ControlHandler> {
  const phase = (wanted: HeldTaskInfo['phase']) => () =>
    worker.held().filter((task) => task.phase === wanted);
  const handlers: Handlers = {
    ping: () => 'pong',
    active: phase('active'),
    reserved: phase('reserved'),
    scheduled: phase('scheduled'),
    registered: () => worker.registered(),
    stats: () => worker.stats(),
    queues: () => worker.queueStates(),
    conf: () => worker.conf(),
    revoke: async (args) => {
      const ids = args.ids;
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
        throw new TypeError('"ids" must be an array of task ids');
      }
      return { held: await worker.revoke(ids, args.terminate === true) };
    },
    rate_limit: (args) => {
      const task = taskOf(worker, args);
      const rate = args.rate;
      if (rate !== null && typeof rate !== 'string' && typeof rate !== 'number') {
        throw new TypeError('"rate" must be a rate such as "10/s", a number per second, or null');
      }
      worker.setRateLimit(task, rate === null ? null : parseRateLimit(rate, `rate limit of "${task}"`));
      return { task, rate: rate === null ? null : String(rate) };
    },
    time_limit: (args) => {
      const task = taskOf(worker, args);
      const ms = args.ms;
      if (ms !== null && (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)) {
        throw new TypeError('"ms" must be a number of ms (0 or null: no limit)');
      }
      worker.setTimeLimit(task, ms === 0 ? null : ms);
      return { task, ms };
    },
    add_consumer: async (args) => {
      const queue = text(args, 'queue');
      await worker.addConsumer(queue);
      return { queue, consuming: true };
    },
    cancel_consumer: async (args) => {
      const queue = text(args, 'queue');
      await worker.cancelConsumer(queue);
      return { queue, consuming: false };
    },
    pool_resize: (args) => {
      const concurrency = args.concurrency;
      if (typeof concurrency !== 'number') throw new TypeError('"concurrency" must be a number');
      return worker.resize(text(args, 'queue'), concurrency);
    },
    shutdown: () => {
      worker.requestShutdown();
      return { shuttingDown: true };
    },
  };
  return handlers;
}
