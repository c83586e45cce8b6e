import type { RateLimit } from '../../decorators/rate-limit.js';
import type {
  DeliveryPolicyStore,
  ParkedTask,
  RateDecision,
  SlotDecision,
} from '../delivery-policy-store.interface.js';

interface RateState {
  /** Start times in the current window, oldest first. */
  starts: number[];
  /** Time of the next place in line. */
  cursor: number;
}

interface SlotState {
  /** Holder → lease end. */
  holders: Map<string, number>;
  /** Parked tasks in arrival order (a Map keeps insertion order). */
  parked: Map<string, ParkedTask>;
}

/** One namespace's policy state, shared by every embedded backend client with the same prefix. */
class PolicyState {
  readonly rates = new Map<string, RateState>();
  readonly slots = new Map<string, SlotState>();
  readonly dedup = new Map<string, { taskId: string; expiresAt: number }>();
}

const states = new Map<string, PolicyState>();

/**
 * The embedded backend's {@link DeliveryPolicyStore}: the same algorithms as the Redis scripts on
 * plain maps, each operation synchronous and so atomic. `now` is injectable so tests drive time.
 */
export class MemoryPolicyStore implements DeliveryPolicyStore {
  private readonly state: PolicyState;

  constructor(
    namespace: string,
    private readonly now: () => number = Date.now,
  ) {
    let state = states.get(namespace);
    if (!state) states.set(namespace, (state = new PolicyState()));
    this.state = state;
  }

  takeRate(key: string, limit: RateLimit, booked: boolean): Promise<RateDecision> {
    const now = this.now();
    let rate = this.state.rates.get(key);
    if (!rate) this.state.rates.set(key, (rate = { starts: [], cursor: 0 }));
    const firstInWindow = rate.starts.findIndex((at) => at > now - limit.periodMs);
    rate.starts.splice(0, firstInWindow < 0 ? rate.starts.length : firstInWindow);
    const count = rate.starts.length;
    if (count < limit.tokens && (booked || rate.cursor <= now)) {
      rate.starts.push(now);
      return Promise.resolve({ waitMs: 0 });
    }
    const room = count >= limit.tokens ? rate.starts[count - limit.tokens] + limit.periodMs : now;
    if (booked) return Promise.resolve({ waitMs: Math.max(1, Math.ceil(room - now)) });
    const place = Math.max(rate.cursor, room);
    rate.cursor = place + limit.periodMs / limit.tokens;
    return Promise.resolve({ waitMs: Math.max(1, Math.ceil(place - now)) });
  }

  acquireSlot(
    key: string,
    limit: number,
    holder: string,
    leaseMs: number,
    parked?: ParkedTask,
  ): Promise<SlotDecision> {
    const now = this.now();
    const slots = this.slotsOf(key, now);
    const held = slots.holders.get(holder);
    if (held !== undefined)
      return Promise.resolve({ kind: 'held', retryMs: Math.max(1, Math.ceil(held - now)) });
    if (slots.holders.size < limit) {
      slots.holders.set(holder, now + leaseMs);
      slots.parked.delete(holder);
      return Promise.resolve({ kind: 'acquired' });
    }
    if (parked && !slots.parked.has(holder)) slots.parked.set(holder, { ...parked });
    const earliest = Math.min(...slots.holders.values());
    return Promise.resolve({ kind: 'full', retryMs: Math.max(1, Math.ceil(earliest - now)) });
  }

  renewSlots(key: string, holders: readonly string[], leaseMs: number): Promise<string[]> {
    const now = this.now();
    const slots = this.slotsOf(key, now);
    const lost: string[] = [];
    for (const holder of holders) {
      if (slots.holders.has(holder)) slots.holders.set(holder, now + leaseMs);
      else lost.push(holder);
    }
    return Promise.resolve(lost);
  }

  releaseSlot(key: string, limit: number, holder: string): Promise<ParkedTask[]> {
    const slots = this.slotsOf(key, this.now());
    slots.holders.delete(holder);
    const out: ParkedTask[] = [];
    for (const [id, task] of slots.parked) {
      if (slots.holders.size + out.length >= limit) break;
      slots.parked.delete(id);
      out.push(task);
    }
    if (slots.holders.size === 0 && slots.parked.size === 0) this.state.slots.delete(key);
    return Promise.resolve(out);
  }

  claimDedup(key: string, taskId: string, holdMs: number): Promise<string | undefined> {
    const now = this.now();
    const entry = this.state.dedup.get(key);
    if (entry && entry.expiresAt > now) return Promise.resolve(entry.taskId);
    this.state.dedup.set(key, { taskId, expiresAt: now + holdMs });
    return Promise.resolve(undefined);
  }

  settleDedup(key: string, taskId: string, until: number): Promise<void> {
    const entry = this.state.dedup.get(key);
    if (entry?.taskId !== taskId) return Promise.resolve();
    if (until <= this.now()) this.state.dedup.delete(key);
    else entry.expiresAt = until;
    return Promise.resolve();
  }

  /** The limit's places, with those whose lease ended freed. */
  private slotsOf(key: string, now: number): SlotState {
    let slots = this.state.slots.get(key);
    if (!slots) this.state.slots.set(key, (slots = { holders: new Map(), parked: new Map() }));
    for (const [holder, leaseEnd] of slots.holders) if (leaseEnd <= now) slots.holders.delete(holder);
    return slots;
  }
}
