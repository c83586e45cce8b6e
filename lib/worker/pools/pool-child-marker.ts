import { isMainThread, workerData } from 'node:worker_threads';

/** Environment variable that tells a forked process it is a `processes` pool child. */
export const POOL_CHILD_ENV = 'CELERIAC_POOL_CHILD';
/** Key in a thread's `workerData` that tells it it is a `threads` pool child. */
export const POOL_CHILD_DATA_KEY = '__celeriacPoolChild';

/** What a child knows about the pool that started it. */
export interface PoolChildMarker {
  pool: 'threads' | 'processes';
  queue: string;
  slot: number;
}

let marker: PoolChildMarker | undefined | null = null;

/** The marker of this process or thread when a Celeriac pool started it; undefined otherwise. */
export function poolChildMarker(): PoolChildMarker | undefined {
  if (marker === null) marker = readMarker();
  return marker;
}

/**
 * True inside a `threads` / `processes` pool child: the application's entry is running again
 * only to serve tasks. Use it to skip work that belongs to the parent alone.
 */
export function isPoolChild(): boolean {
  return poolChildMarker() !== undefined;
}

function readMarker(): PoolChildMarker | undefined {
  if (!isMainThread) {
    const data = workerData as Record<string, unknown> | null | undefined;
    const value = data && typeof data === 'object' ? data[POOL_CHILD_DATA_KEY] : undefined;
    return value as PoolChildMarker | undefined;
  }
  const text = process.env[POOL_CHILD_ENV];
  if (!text) return undefined;
  // Processes this child starts must not take themselves for pool children.
  delete process.env[POOL_CHILD_ENV];
  return JSON.parse(text) as PoolChildMarker;
}
