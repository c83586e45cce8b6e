import type { ResultBackend } from '../backends/result-backend.interface.js';
import type { Broker } from '../brokers/broker.interface.js';
import type { ResolvedCeleriacOptions } from '../celeriac-options.interface.js';
import type { TaskRegistry } from '../discovery/task.registry.js';
import type { ControlPlane } from '../control/control-plane.js';
import type { EventPublisher } from '../control/event-publisher.js';
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
  /** The application's control plane (remote control and events), connected. */
  controlPlane?(): Promise<ControlPlane>;
  /** Publishes the application's events on the control plane's event bus, batched. */
  eventPublisher?: EventPublisher;
  /** Runs the application's beat (for `beat: true`); the returned handle's `stop` releases it. */
  startBeat?(): Promise<{ stop(): Promise<void> }>;
}
