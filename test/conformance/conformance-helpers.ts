import type { TaskRecord } from '../../lib/backends/task-record.js';
import type { TaskState } from '../../lib/backends/task-state.js';
import type { Broker, Delivery, DeliveryHandler } from '../../lib/brokers/broker.interface.js';

/**
 * How long a conformance test waits for something that should happen. It only turns a hang into a
 * readable failure; no test asserts that anything happens faster than this.
 */
export const GUARD_MS = 10_000;

/**
 * Slack for "not before" checks on delays: timers and clocks may round a few ms early, and a broker
 * may measure the delay from its own clock.
 */
export const EARLY_TOLERANCE_MS = 25;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves like `promise`, or rejects naming `what` once `ms` have passed: a failure guard. */
export async function within<T>(promise: Promise<T>, what: string, ms = GUARD_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** One delivery as an {@link Inbox} saw it. */
export interface Received {
  delivery: Delivery;
  /** Tag of the consumer whose handler received it. */
  consumer: string;
  /** `Date.now()` when the handler ran. */
  at: number;
}

type Reaction = (delivery: Delivery) => Promise<void> | void;

/**
 * Collects deliveries from one or more consumers and lets a test await the n-th one, so waits are
 * driven by the deliveries themselves rather than by sleeping. An optional reaction settles each
 * delivery as it arrives; its failures are kept and rethrown by {@link Inbox.settled}.
 */
export class Inbox {
  readonly received: Received[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private readonly settlements: Promise<void>[] = [];

  constructor(private readonly react?: Reaction) {}

  /** An inbox that acknowledges everything it receives. */
  static acking(): Inbox {
    return new Inbox((delivery) => delivery.ack());
  }

  /** The handler to pass to `consume`; `consumer` tags what it receives. */
  handler(consumer = 'default'): DeliveryHandler {
    return (delivery) => {
      this.received.push({ delivery, consumer, at: Date.now() });
      if (this.react) {
        const settlement = Promise.resolve().then(() => this.react?.(delivery));
        settlement.catch(() => undefined);
        this.settlements.push(settlement);
      }
      for (const waiter of this.waiters.filter((w) => this.received.length >= w.count)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    };
  }

  get deliveries(): Delivery[] {
    return this.received.map((r) => r.delivery);
  }

  get bodies(): string[] {
    return this.received.map((r) => r.delivery.body);
  }

  /** Resolves with the deliveries once at least `count` have arrived. */
  async waitFor(count: number, what = `${count} deliveries`): Promise<Delivery[]> {
    if (this.received.length < count) {
      const arrived = new Promise<void>((resolve) => this.waiters.push({ count, resolve }));
      await within(arrived, `${what} (got ${this.received.length}: ${this.bodies.join(', ')})`);
    }
    return this.deliveries;
  }

  /** Waits for every reaction started so far; rethrows the first failure. */
  async settled(): Promise<void> {
    await within(Promise.all(this.settlements), 'deliveries to be settled');
  }
}

/** Collects values pushed by a listener and lets a test await the n-th one. */
export class Collector<T> {
  readonly values: T[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  readonly push = (value: T): void => {
    this.values.push(value);
    for (const waiter of this.waiters.filter((w) => this.values.length >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  async waitFor(count: number, what = `${count} notifications`): Promise<T[]> {
    if (this.values.length < count) {
      const arrived = new Promise<void>((resolve) => this.waiters.push({ count, resolve }));
      await within(arrived, `${what} (got ${this.values.length})`);
    }
    return this.values;
  }
}

/** What the broker conformance cases get from the suite around them. */
export interface BrokerCaseContext {
  /** A connected broker under the current test's prefix; the suite closes it after the test. */
  openBroker(): Promise<Broker>;
  /** A fresh queue name; the suite purges it after the test. */
  newQueue(): string;
  /** Whether the broker reports unsettled deliveries in `stats().inFlight` (AMQP cannot). */
  reportsInFlight: boolean;
  /**
   * Where a message published without a priority ranks: with priority 0 (the Broker contract), or
   * first, with 9 — kombu's Redis layout, where an unset priority is kombu's default, read first.
   */
  unsetPriority: 'lowest' | 'highest';
}

/**
 * Re-reads `probe` until it returns something other than undefined, for state a test cannot
 * subscribe to (a server noticing a closed connection); `ms` only turns a hang into a failure.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = GUARD_MS,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** A task record of `ReportTasks.render` in `state`, for the result backend cases. */
export function taskRecord(id: string, state: TaskState, extra: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id,
    state,
    task: 'ReportTasks.render',
    queue: 'default',
    retries: 0,
    updatedAt: Date.now(),
    ...extra,
  };
}
