import { MemoryQueue } from './memory-queue.js';

/** Every embedded broker "server" of this process, by namespace (the connection prefix). */
const stores = new Map<string, MemoryStore>();

/**
 * The embedded broker's server side: the queues of one namespace, shared by every
 * {@link MemoryBroker} client in the process that uses the same prefix — so an API and a worker
 * started in one process meet here, as they would on a Redis or RabbitMQ server.
 *
 * Like a server it keeps messages while no client is connected, but with no client its delay
 * timers are stopped (nobody could consume what they release) and a namespace with nothing in it
 * is forgotten.
 */
export class MemoryStore {
  private readonly queues = new Map<string, MemoryQueue>();
  private clients = 0;

  private constructor(readonly namespace: string) {}

  /** Connects a client to the namespace's store, creating the store on first use. */
  static attach(namespace: string): MemoryStore {
    let store = stores.get(namespace);
    if (!store) {
      store = new MemoryStore(namespace);
      stores.set(namespace, store);
    }
    if (store.clients++ === 0) for (const queue of store.queues.values()) queue.resume();
    return store;
  }

  /** The store of a namespace, if one exists; for diagnostics and tests. */
  static find(namespace: string): MemoryStore | undefined {
    return stores.get(namespace);
  }

  get clientCount(): number {
    return this.clients;
  }

  /** Queues whose delay timer is currently armed. */
  get armedTimerCount(): number {
    return [...this.queues.values()].filter((queue) => queue.hasArmedTimer).length;
  }

  detach(): void {
    if (this.clients === 0 || --this.clients > 0) return;
    for (const [name, queue] of this.queues) {
      queue.suspend();
      if (queue.isIdle) this.queues.delete(name);
    }
    if (this.queues.size === 0 && stores.get(this.namespace) === this) stores.delete(this.namespace);
  }

  /** The named queue, created on first use. */
  queue(name: string): MemoryQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new MemoryQueue(name);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** The named queue if it exists; reads use this so asking about a queue does not create it. */
  existingQueue(name: string): MemoryQueue | undefined {
    return this.queues.get(name);
  }
}
