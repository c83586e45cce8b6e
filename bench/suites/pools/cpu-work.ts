/** Deterministic CPU work: the same loop in every subject of the pools benchmark. */
export function burn(iterations: number): number {
  let x = 1;
  for (let i = 0; i < iterations; i++) x = (x * 48_271 + i) % 2_147_483_647;
  return x;
}

/** Iterations of {@link burn} that take about `targetMs` on this machine. */
export function calibrate(targetMs: number): number {
  burn(5_000_000); // let the JIT settle
  let iterations = 1_000_000;
  for (;;) {
    const start = performance.now();
    burn(iterations);
    const elapsed = performance.now() - start;
    if (elapsed > 50) return Math.round((iterations * targetMs) / elapsed);
    iterations *= 2;
  }
}
