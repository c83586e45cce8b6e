import type { LoggerService } from '@nestjs/common';
import type { DeliveryPolicyStore, ParkedTask } from '../backends/delivery-policy-store.interface.js';
import type { ResultBackend } from '../backends/result-backend.interface.js';
import type { Delivery } from '../brokers/broker.interface.js';
import { policyKeys, usesSharedPolicies } from '../discovery/delivery-policy.js';
import type { TaskDefinition } from '../discovery/task-definition.js';
import type { TaskRegistry } from '../discovery/task.registry.js';
import { InvalidArgumentsError } from '../errors/invalid-arguments.error.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import type { PolicyFields } from '../protocol/policy-fields.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';
import type { WireMessage } from '../protocol/wire-codec.js';
import { PolicyLeases } from './policy-leases.js';

/** Default lease of a concurrency place: a dead worker's places come back this long after it stopped. */
export const DEFAULT_POLICY_LEASE_MS = 30_000;

/** What the checks before a start decided. */
export type Admission =
  /** Start it; call `release` once the attempt is over, whatever its outcome. */
  | { kind: 'run'; release(): Promise<void> }
  /** The delivery was given back to the broker with a delay (it waits for a place); nothing more to do. */
  | { kind: 'delayed' }
  /** The arguments fail the task's schema: fail it and dead-letter the message with this error. */
  | { kind: 'refused'; error: InvalidArgumentsError };

/** What the policies need of the executor and the worker around them. */
export interface DeliveryPolicyHost {
  backend: ResultBackend;
  registry: TaskRegistry;
  logger: LoggerService;
  /** Announces a task that waits for a shared rate slot until `eta` (a `task-rate-limited` event). */
  rateLimited(envelope: TaskEnvelope, eta: number): void;
  /** Encodes an envelope for its queue (a requeued copy carries updated policy fields). */
  encode(envelope: TaskEnvelope): WireMessage;
  /** Writes the RECEIVED record of a task that waits for a place. */
  markWaiting(envelope: TaskEnvelope): Promise<void>;
  /** Publishes a parked task again once a place freed; absent, parked tasks come back on their own delay. */
  publish?(envelope: TaskEnvelope): Promise<void>;
  /** Lease of concurrency places (default {@link DEFAULT_POLICY_LEASE_MS}). */
  leaseMs?: number;
}

/** One place held under a concurrency limit (or the run guard of a deduplicated task). */
interface Hold {
  key: string;
  limit: number;
  holder: string;
}

const FREE: Admission = { kind: 'run', release: () => Promise.resolve() };
const DELAYED: Admission = { kind: 'delayed' };

/**
 * The worker's side of delivery policies, checked after a message is decoded and before it starts:
 * argument schemas; concurrency places (and, for a deduplicated task, a guard against running a
 * redelivered copy while the first still runs elsewhere); shared rate limits. A task that must wait
 * goes back to the broker with a delay — never held in this worker — and its wait is visible (state
 * RECEIVED, a `task-rate-limited` event). Tasks without policies cost nothing here.
 */
export class DeliveryPolicies {
  private readonly store?: DeliveryPolicyStore;
  private readonly leases?: PolicyLeases;
  private readonly leaseMs: number;

  constructor(private readonly host: DeliveryPolicyHost) {
    this.store = host.backend.policies;
    this.leaseMs = host.leaseMs ?? DEFAULT_POLICY_LEASE_MS;
    if (this.store) this.leases = new PolicyLeases(this.store, this.leaseMs, host.logger);
    const needy = host.registry.all().find((definition) => usesSharedPolicies(definition.policy));
    if (needy && !this.store) {
      throw new TaskDefinitionError(
        `task "${needy.name}" has a shared rate or concurrency limit, but the "${host.backend.kind}" result ` +
          `backend keeps no delivery policies: use the redis (or embedded memory) backend`,
      );
    }
  }

  async admit(
    delivery: Delivery,
    envelope: TaskEnvelope,
    definition: TaskDefinition,
    args: readonly unknown[],
  ): Promise<Admission> {
    const { policy } = definition;
    let keys: PolicyFields;
    try {
      await policy.schemas?.parse(args);
      keys = keysOf(definition, envelope, args);
    } catch (error) {
      if (error instanceof InvalidArgumentsError) return { kind: 'refused', error };
      throw error;
    }
    const store = this.store;
    const dedup = envelope.policy?.dedupKey !== undefined;
    if (!store || (!policy.rate && !policy.concurrency && !dedup)) return FREE;
    let hold: Hold | undefined;
    if (policy.concurrency || dedup) {
      hold = policy.concurrency
        ? {
            key: scoped(definition.name, keys.concurrencyKey),
            limit: policy.concurrency.limit,
            holder: envelope.id,
          }
        : { key: `run:${envelope.id}`, limit: 1, holder: envelope.id };
      const parked = policy.concurrency ? parkedOf(envelope) : undefined;
      const decision = await store.acquireSlot(hold.key, hold.limit, hold.holder, this.leaseMs, parked);
      if (decision.kind === 'held') {
        // The same task holds the place: it runs elsewhere (its broker lease ended under it). Come
        // back once that run has ended or its worker is known dead; the record is left alone.
        await this.requeue(delivery, envelope, decision.retryMs);
        return DELAYED;
      }
      if (decision.kind === 'full') {
        await this.delay(delivery, envelope, decision.retryMs, 'concurrency');
        return DELAYED;
      }
      this.leases?.hold(hold.key, hold.holder);
    }
    const release = (): Promise<void> => (hold ? this.release(hold) : Promise.resolve());
    if (policy.rate) {
      const key = `rate:${scoped(definition.name, keys.rateKey)}`;
      const { waitMs } = await store.takeRate(key, policy.rate.limit, envelope.policy?.rateBooked === true);
      if (waitMs > 0) {
        await release();
        await this.delay(delivery, envelope, waitMs, 'rate');
        return DELAYED;
      }
    }
    return { kind: 'run', release };
  }

  /** A task reached its final state: its deduplication key is kept only until its `dedupTtl`. */
  async finished(envelope: TaskEnvelope): Promise<void> {
    const key = envelope.policy?.dedupKey;
    if (key === undefined || !this.store) return;
    try {
      await this.store.settleDedup(key, envelope.id, envelope.policy?.dedupUntil ?? 0);
    } catch (error) {
      // The claim then lasts until the result TTL: later sends keep deduplicating, none is lost.
      this.host.logger.warn(
        `could not shorten dedup key "${key}" of task ${envelope.id}: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Back to the broker with a delay; the first wait is recorded, and a wait for a rate slot is
   * announced (the executor announced the delivery itself as task-received already).
   */
  private async delay(
    delivery: Delivery,
    envelope: TaskEnvelope,
    delayMs: number,
    why: 'rate' | 'concurrency',
  ): Promise<void> {
    if (envelope.policy?.rateBooked !== true) await this.host.markWaiting(envelope);
    if (why === 'rate') this.host.rateLimited(envelope, Date.now() + delayMs);
    await this.requeue(delivery, envelope, delayMs, why === 'rate');
  }

  /** The copy that goes back counts its waits (and, after a rate wait, holds a booked place). */
  private requeue(
    delivery: Delivery,
    envelope: TaskEnvelope,
    delayMs: number,
    booked = false,
  ): Promise<void> {
    const policy = { ...envelope.policy, waits: (envelope.policy?.waits ?? 0) + 1 };
    if (booked) policy.rateBooked = true;
    return delivery.requeue({ delayMs, ...this.host.encode({ ...envelope, policy }) });
  }

  /** Never throws: a place that could not be freed comes back when its lease ends. */
  private async release(hold: Hold): Promise<void> {
    this.leases?.release(hold.key, hold.holder);
    try {
      const parked = await this.store!.releaseSlot(hold.key, hold.limit, hold.holder);
      await Promise.all(parked.map((task) => this.publishParked(task)));
    } catch (error) {
      this.host.logger.warn(`could not free concurrency place "${hold.key}": ${(error as Error).message}`);
    }
  }

  /** A parked task's own delayed copy is still in the broker: a failed publish only makes it later. */
  private async publishParked(task: ParkedTask): Promise<void> {
    if (!this.host.publish) return;
    try {
      await this.host.publish(JSON.parse(task.body) as TaskEnvelope);
    } catch (error) {
      this.host.logger.warn(`could not publish parked task ${task.taskId}: ${(error as Error).message}`);
    }
  }
}

/** Keys travel in the message; a producer that did not know the task left them to the worker. */
function keysOf(definition: TaskDefinition, envelope: TaskEnvelope, args: readonly unknown[]): PolicyFields {
  const { rate, concurrency } = definition.policy;
  const carried = envelope.policy ?? {};
  const missing =
    (rate?.key && carried.rateKey === undefined) ||
    (concurrency?.key && carried.concurrencyKey === undefined);
  return missing ? { ...policyKeys(definition.name, definition.policy, args), ...carried } : carried;
}

function scoped(task: string, key: string | undefined): string {
  return key === undefined ? task : `${task}:${key}`;
}

function parkedOf(envelope: TaskEnvelope): ParkedTask {
  return { taskId: envelope.id, queue: envelope.queue, body: JSON.stringify(envelope) };
}
