import type { ControlMessageListener } from '../../control/control-channel.interface.js';

/** Every embedded control hub of this process, by namespace (the connection prefix). */
const hubs = new Map<string, MemoryControlHub>();

/**
 * The embedded control plane's "server": the command listeners, reply inboxes and event
 * subscribers of one namespace, shared by every memory control channel and event bus of the
 * process with that prefix. Messages are handed over in a later macrotask, never inside the call
 * that sent them, as a remote transport would.
 */
export class MemoryControlHub {
  readonly listeners = new Set<ControlMessageListener>();
  readonly inboxes = new Map<string, ControlMessageListener>();
  readonly subscribers = new Set<(batch: string) => void>();

  private constructor(private readonly namespace: string) {}

  static of(namespace: string): MemoryControlHub {
    let hub = hubs.get(namespace);
    if (!hub) hubs.set(namespace, (hub = new MemoryControlHub(namespace)));
    return hub;
  }

  /** Calls each of `targets` with `message` in a later turn; one that throws does not stop the others. */
  static deliver<T>(targets: Iterable<(message: T) => void>, message: T): void {
    const snapshot = [...targets];
    if (snapshot.length === 0) return;
    setImmediate(() => {
      for (const target of snapshot) {
        try {
          target(message);
        } catch (error) {
          process.emitWarning(`a control-plane listener threw: ${(error as Error).message}`);
        }
      }
    });
  }

  /** Forgets the hub once nothing listens on it. */
  release(): void {
    const empty = this.listeners.size === 0 && this.inboxes.size === 0 && this.subscribers.size === 0;
    if (empty && hubs.get(this.namespace) === this) hubs.delete(this.namespace);
  }
}
