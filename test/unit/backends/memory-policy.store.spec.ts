import { randomUUID } from 'node:crypto';
import { MemoryPolicyStore } from '../../../lib/backends/memory/memory-policy.store.js';
import { describePolicyStoreConformance } from '../../conformance/policy-store.conformance.js';

describePolicyStoreConformance('memory (fake clock)', () => {
  let now = Date.now();
  const store = new MemoryPolicyStore(`test-${randomUUID()}`, () => now);
  return Promise.resolve({
    store,
    pass: (ms: number) => {
      now += ms;
      return Promise.resolve();
    },
    now: () => now,
    close: () => Promise.resolve(),
  });
});
