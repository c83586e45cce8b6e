import { EventEmitter } from 'node:events';
import type { ScheduleDefinition } from '../../scheduler/schedule-definition.js';
import type { Unsubscribe } from '../result-backend.interface.js';
import {
  MAX_PENDING_FIRES,
  type ClaimOutcome,
  type ClaimRequest,
  type PendingFire,
  type ScheduleChange,
  type ScheduleFire,
  type ScheduleStore,
  type StoredSchedule,
} from '../schedule-store.interface.js';

interface Entry {
  definition: string;
  digest: string;
  state: Omit<StoredSchedule, 'definition'>;
}

/** One namespace's schedules, shared by every client of the prefix in this process. */
class ScheduleState {
  readonly entries = new Map<string, Entry>();
  readonly changes = new EventEmitter<{ change: [ScheduleChange] }>();
}

const namespaces = new Map<string, ScheduleState>();

/**
 * The embedded backend's {@link ScheduleStore}: plain maps, each operation synchronous and so
 * atomic; watchers hear of a change in the next microtask, as they would over pub/sub. Definitions
 * are kept as JSON, exactly what a remote store holds.
 */
export class MemoryScheduleStore implements ScheduleStore {
  private readonly state: ScheduleState;

  constructor(namespace: string) {
    let state = namespaces.get(namespace);
    if (!state) namespaces.set(namespace, (state = new ScheduleState()));
    this.state = state;
  }

  put(definition: ScheduleDefinition, digest: string, now: number): Promise<{ changed: boolean }> {
    const existing = this.state.entries.get(definition.id);
    if (existing?.digest === digest) return Promise.resolve({ changed: false });
    const state = existing?.state;
    this.state.entries.set(definition.id, {
      definition: JSON.stringify(definition),
      digest,
      state: {
        version: (state?.version ?? 0) + 1,
        paused: state?.paused ?? false,
        createdAt: state?.createdAt ?? now,
        since: now,
        last: state?.last,
        pending: state?.pending ?? [],
      },
    });
    this.notify({ kind: 'put', id: definition.id });
    return Promise.resolve({ changed: true });
  }

  remove(id: string): Promise<boolean> {
    const removed = this.state.entries.delete(id);
    if (removed) this.notify({ kind: 'remove', id });
    return Promise.resolve(removed);
  }

  setPaused(id: string, paused: boolean, now: number): Promise<boolean> {
    const entry = this.state.entries.get(id);
    if (!entry) return Promise.resolve(false);
    if (entry.state.paused !== paused) {
      entry.state.paused = paused;
      entry.state.version++;
      if (!paused) entry.state.since = now;
      this.notify({ kind: 'put', id });
    }
    return Promise.resolve(true);
  }

  get(id: string): Promise<StoredSchedule | undefined> {
    const entry = this.state.entries.get(id);
    return Promise.resolve(entry && read(entry));
  }

  all(): Promise<StoredSchedule[]> {
    return Promise.resolve([...this.state.entries.values()].map(read));
  }

  claim(request: ClaimRequest): Promise<ClaimOutcome> {
    const entry = this.state.entries.get(request.id);
    if (!entry || entry.state.version !== request.version || entry.state.paused) {
      return Promise.resolve({ status: 'stale' });
    }
    return Promise.resolve(claimTick(entry.state, request));
  }

  confirm(id: string, fireAt: number, taskId: string): Promise<void> {
    const entry = this.state.entries.get(id);
    const pending = entry?.state.pending ?? [];
    const at = pending.findIndex((fire) => fire.at === fireAt && fire.taskId === taskId);
    if (entry && at >= 0) {
      pending.splice(at, 1);
      this.notify({ kind: 'fired', id, at: fireAt, taskId });
    }
    return Promise.resolve();
  }

  watch(listener: (change: ScheduleChange) => void, _onResync: () => void): Promise<Unsubscribe> {
    // Nothing is ever missed in one process, so there is no resynchronisation to announce.
    this.state.changes.on('change', listener);
    return Promise.resolve(() => {
      this.state.changes.off('change', listener);
      return Promise.resolve();
    });
  }

  private notify(change: ScheduleChange): void {
    queueMicrotask(() => this.state.changes.emit('change', change));
  }
}

/**
 * The claim rule, shared in spirit with the Redis script: a tick later than the latest claimed one
 * is the caller's; a claimed one again only while unconfirmed, and only by its claimer (retrying)
 * or once the claimer's lease lapsed; anything else is taken. A new claim also adopts unconfirmed
 * earlier claims whose lease lapsed, so a claimer that died between claim and publish loses no tick.
 */
function claimTick(state: Omit<StoredSchedule, 'definition'>, request: ClaimRequest): ClaimOutcome {
  const { fireAt, taskId, node, leaseMs, now } = request;
  const lapsed = (fire: PendingFire): boolean => now - fire.claimedAt >= leaseMs;
  if (state.last && state.last.at >= fireAt) {
    const pending = state.pending.find((fire) => fire.at === fireAt);
    if (pending && (pending.by === node || lapsed(pending))) {
      Object.assign(pending, { by: node, claimedAt: now });
      return { status: 'claimed', orphans: [] };
    }
    const retryInMs = pending ? Math.max(0, pending.claimedAt + leaseMs - now) : undefined;
    return { status: 'taken', last: { ...state.last }, retryInMs };
  }
  const orphans: ScheduleFire[] = [];
  for (const fire of state.pending) {
    if (!lapsed(fire)) continue;
    Object.assign(fire, { by: node, claimedAt: now });
    orphans.push({ at: fire.at, taskId: fire.taskId, by: node });
  }
  state.last = { at: fireAt, taskId, by: node };
  state.pending.push({ at: fireAt, taskId, by: node, claimedAt: now });
  if (state.pending.length > MAX_PENDING_FIRES)
    state.pending.splice(0, state.pending.length - MAX_PENDING_FIRES);
  return { status: 'claimed', orphans };
}

function read(entry: Entry): StoredSchedule {
  return {
    definition: JSON.parse(entry.definition) as ScheduleDefinition,
    ...structuredClone(entry.state),
  };
}
