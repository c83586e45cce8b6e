import type { ResultBackend } from '../backends/result-backend.interface.js';

/** Revokes tasks for a process: stores the durable mark and tells the workers (see `CeleriacControl.revoke`). */
export type Revoker = (ids: string[], options: { terminate?: boolean }) => Promise<void>;

const revokers = new WeakMap<ResultBackend, Revoker>();

/** Called by `CeleriacControl`: handles on `backend` revoke through the control plane from now on. */
export function registerRevoker(backend: ResultBackend, revoker: Revoker): void {
  revokers.set(backend, revoker);
}

/**
 * How a handle on `backend` revokes: through its application's control plane, or, for a backend
 * used outside any application, by the durable mark alone (workers honour it before starting).
 */
export function revokerFor(backend: ResultBackend): Revoker {
  return (
    revokers.get(backend) ??
    (async (ids) => {
      await Promise.all(ids.map((id) => backend.revoke(id)));
    })
  );
}
