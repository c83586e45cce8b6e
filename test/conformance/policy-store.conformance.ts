import { randomUUID } from 'node:crypto';
import type { DeliveryPolicyStore } from '../../lib/backends/delivery-policy-store.interface.js';

/** A store under test, and how to let time pass for it (a fake clock, or real waiting). */
export interface PolicyStoreSubject {
  store: DeliveryPolicyStore;
  pass(ms: number): Promise<void>;
  /** The store's clock, in epoch ms. */
  now(): number;
  close(): Promise<void>;
}

const parkedOf = (taskId: string): { taskId: string; queue: string; body: string } => ({
  taskId,
  queue: 'q',
  body: `{"id":"${taskId}"}`,
});

/** What every `DeliveryPolicyStore` must do, run against the memory and Redis stores. */
export function describePolicyStoreConformance(name: string, open: () => Promise<PolicyStoreSubject>): void {
  describe(`DeliveryPolicyStore conformance: ${name}`, () => {
    let subject: PolicyStoreSubject;
    let key: string;
    beforeEach(async () => {
      subject = await open();
      key = `k-${randomUUID()}`;
    });
    afterEach(() => subject.close());

    it('rate: admits `tokens` starts per window, then books later callers one place apart', async () => {
      const limit = { tokens: 2, periodMs: 1_000 };
      const { store } = subject;
      expect((await store.takeRate(key, limit, false)).waitMs).toBe(0);
      expect((await store.takeRate(key, limit, false)).waitMs).toBe(0);
      const third = (await store.takeRate(key, limit, false)).waitMs;
      const fourth = (await store.takeRate(key, limit, false)).waitMs;
      expect(third).toBeGreaterThan(800);
      expect(third).toBeLessThanOrEqual(1_000);
      // Booked one place (window / tokens = 500 ms) behind the third (less the time between the calls).
      expect(fourth - third).toBeGreaterThan(400);
      expect(fourth - third).toBeLessThanOrEqual(501);
      // A newcomer does not overtake them, even once the window has room for it.
      await subject.pass(1_050);
      expect((await store.takeRate(key, limit, false)).waitMs).toBeGreaterThan(400);
      // The booked third may start now; a booked caller coming back to a full window waits for room.
      expect((await store.takeRate(key, limit, true)).waitMs).toBe(0);
      expect((await store.takeRate(key, limit, true)).waitMs).toBe(0);
      const full = (await store.takeRate(key, limit, true)).waitMs;
      expect(full).toBeGreaterThan(800);
      expect(full).toBeLessThanOrEqual(1_000);
    });

    it('rate: keys are independent', async () => {
      const limit = { tokens: 1, periodMs: 60_000 };
      expect((await subject.store.takeRate(`${key}:a`, limit, false)).waitMs).toBe(0);
      expect((await subject.store.takeRate(`${key}:b`, limit, false)).waitMs).toBe(0);
      expect((await subject.store.takeRate(`${key}:a`, limit, false)).waitMs).toBeGreaterThan(59_000);
    });

    it('slots: at most `limit` holders; the same holder is told it runs elsewhere; parked tasks are handed out in order', async () => {
      const { store } = subject;
      expect(await store.acquireSlot(key, 2, 'a', 10_000)).toEqual({ kind: 'acquired' });
      expect(await store.acquireSlot(key, 2, 'b', 10_000)).toEqual({ kind: 'acquired' });
      expect(await store.acquireSlot(key, 2, 'a', 10_000)).toMatchObject({ kind: 'held' });
      const full = await store.acquireSlot(key, 2, 'c', 10_000, parkedOf('c'));
      expect(full.kind).toBe('full');
      expect((full as { retryMs: number }).retryMs).toBeGreaterThan(9_000);
      await store.acquireSlot(key, 2, 'd', 10_000, parkedOf('d'));
      await store.acquireSlot(key, 2, 'c', 10_000, parkedOf('c')); // parked once: keeps its place
      expect(await store.releaseSlot(key, 2, 'a')).toEqual([parkedOf('c')]);
      expect(await store.acquireSlot(key, 2, 'c', 10_000)).toEqual({ kind: 'acquired' });
      expect(await store.releaseSlot(key, 2, 'b')).toEqual([parkedOf('d')]);
      // A parked task that got a place on its own is no longer handed out.
      await store.acquireSlot(key, 2, 'e', 10_000, parkedOf('e'));
      await store.acquireSlot(key, 2, 'f', 10_000, parkedOf('f'));
      await store.releaseSlot(key, 2, 'c');
      expect(await store.acquireSlot(key, 2, 'f', 10_000)).toEqual({ kind: 'acquired' });
    });

    it('slots: a place whose lease ended comes back; renewal keeps it and reports lost ones', async () => {
      const { store } = subject;
      expect(await store.acquireSlot(key, 1, 'a', 200)).toEqual({ kind: 'acquired' });
      expect(await store.renewSlots(key, ['a', 'ghost'], 200)).toEqual(['ghost']);
      expect((await store.acquireSlot(key, 1, 'b', 200)).kind).toBe('full');
      await subject.pass(300);
      expect(await store.acquireSlot(key, 1, 'b', 10_000)).toEqual({ kind: 'acquired' });
      expect(await store.renewSlots(key, ['a'], 200)).toEqual(['a']);
    });

    it('dedup: the first claim wins; a settled claim lasts until its time, then a new task may claim', async () => {
      const { store } = subject;
      expect(await store.claimDedup(key, 'first', 60_000)).toBeUndefined();
      expect(await store.claimDedup(key, 'second', 60_000)).toBe('first');
      await store.settleDedup(key, 'second', 0); // not its claim: left alone
      expect(await store.claimDedup(key, 'third', 60_000)).toBe('first');
      await store.settleDedup(key, 'first', subject.now() + 200);
      expect(await store.claimDedup(key, 'third', 60_000)).toBe('first');
      await subject.pass(300);
      expect(await store.claimDedup(key, 'third', 60_000)).toBeUndefined();
      await store.settleDedup(key, 'third', 0);
      expect(await store.claimDedup(key, 'fourth', 60_000)).toBeUndefined();
    });

    it('dedup: concurrent claims of one key name one winner', async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `t${i}`);
      const answers = await Promise.all(ids.map((id) => subject.store.claimDedup(key, id, 60_000)));
      const winners = ids.filter((_, i) => answers[i] === undefined);
      expect(winners).toHaveLength(1);
      expect(new Set(answers.filter((a) => a !== undefined))).toEqual(new Set(winners));
    });
  });
}
