import type { ResultBackend } from '../backends/result-backend.interface.js';
import type { Broker } from '../brokers/broker.interface.js';
import type { ResolvedCeleriacOptions } from '../celeriac-options.interface.js';
import type { TaskRegistry } from '../discovery/task.registry.js';
import type { TaskEvents } from './task-events.js';

/** What an application hands to each `CeleriacWorker` connected to it. */
export interface WorkerRuntime {
  registry: TaskRegistry;
  broker: Broker;
  backend: ResultBackend;
  options: ResolvedCeleriacOptions;
  events: TaskEvents;
  /** Makes sure every `@Task` is registered before the worker consumes. */
  discover(): void;
  /** Runs the application's beat (for `beat: true`); the returned handle's `stop` releases it. */
  startBeat?(): Promise<{ stop(): Promise<void> }>;
}
