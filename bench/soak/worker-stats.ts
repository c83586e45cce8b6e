/** What a soak worker process reports about itself. */
export interface WorkerStats {
  rssMb: number;
  heapUsedMb: number;
  /** Active resources of the main thread by type (process.getActiveResourcesInfo), e.g. TCPWrap: 4. */
  resources: Record<string, number>;
}

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

/** This process's figures; after a full collection when asked and node runs with --expose-gc. */
export function workerStats(collect: boolean): WorkerStats {
  if (collect) (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  const resources: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1;
  return { rssMb: mb(memory.rss), heapUsedMb: mb(memory.heapUsed), resources };
}

/** `TCPWrap 4, Timeout 2` — the total first. */
export function describeResources(resources: Record<string, number>): string {
  const entries = Object.entries(resources).sort(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return `${total} (${entries.map(([type, n]) => `${type} ${n}`).join(', ')})`;
}
