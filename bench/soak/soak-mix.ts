import type { SoakTasks } from './soak-tasks.js';

/** Iterations of the CPU task: a few ms of work on this machine. */
const CPU_ITERATIONS = 100_000;

export type SoakMethod = 'io' | 'cpu' | 'flaky' | 'doomed';

export interface SoakSend {
  method: SoakMethod;
  args: Parameters<SoakTasks[SoakMethod]>;
}

/**
 * The soak's mix, by index (in blocks of 20): 60 % I/O waits of 1–10 ms, 25 % CPU on the `threads`
 * queue, 10 % failing once or twice and then succeeding, 5 % failing every attempt (FAILURE after
 * their retries).
 */
export function soakMix(index: number): SoakSend {
  const slot = index % 20;
  if (slot < 12) return { method: 'io', args: [1 + (index % 10)] };
  if (slot < 17) return { method: 'cpu', args: [CPU_ITERATIONS] };
  if (slot < 19) return { method: 'flaky', args: [slot === 17 ? 1 : 2] };
  return { method: 'doomed', args: [] };
}
