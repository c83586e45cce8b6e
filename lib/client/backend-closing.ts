import { setMaxListeners } from 'node:events';
import type { ResultBackend } from '../backends/result-backend.interface.js';

/** One signal per backend client, aborted when its application starts closing it. */
const closing = new WeakMap<ResultBackend, AbortController>();

function controllerOf(backend: ResultBackend): AbortController {
  let controller = closing.get(backend);
  if (!controller) {
    closing.set(backend, (controller = new AbortController()));
    // Every pending wait listens (and stops listening when it settles): a thousand concurrent
    // waits are a thousand listeners, not a leak, so Node's warning after ten would only mislead.
    setMaxListeners(0, controller.signal);
  }
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
