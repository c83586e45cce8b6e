import type { ResultBackend } from '../backends/result-backend.interface.js';

/** One signal per backend client, aborted when its application starts closing it. */
const closing = new WeakMap<ResultBackend, AbortController>();

function controllerOf(backend: ResultBackend): AbortController {
  let controller = closing.get(backend);
  if (!controller) closing.set(backend, (controller = new AbortController()));
  return controller;
}

/** Fires when the application that owns `backend` closes it: waiters on it must stop waiting. */
export function closingSignal(backend: ResultBackend): AbortSignal {
  return controllerOf(backend).signal;
}

/** Called once the workers have drained, just before the backend client is closed. */
export function markClosing(backend: ResultBackend): void {
  controllerOf(backend).abort();
}
