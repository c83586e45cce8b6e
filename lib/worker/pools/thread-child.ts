import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type FromChild, toWireError, type WireError } from './child-protocol.js';
import { OutputTail } from './output-tail.js';
import { POOL_CHILD_DATA_KEY } from './pool-child-marker.js';
import type { ChildEvents, ChildSpec, PoolChild } from './pool-child.interface.js';

/**
 * Starts a `threads` pool child: a worker thread running the application's entry. It inherits
 * the parent's `execArgv` (so `--import tsx` and other loaders carry over) and arguments; the
 * heap ceiling is the thread's own resource limit.
 */
export function spawnThread(spec: ChildSpec, events: ChildEvents): PoolChild {
  const worker = new Worker(pathToFileURL(spec.entry), {
    workerData: { [POOL_CHILD_DATA_KEY]: spec.marker },
    argv: process.argv.slice(2),
    resourceLimits: spec.maxHeapMb ? { maxOldGenerationSizeMb: spec.maxHeapMb } : undefined,
    stderr: true,
  });
  const output = new OutputTail(worker.stderr);
  let error: WireError | undefined;
  worker.on('message', (message: FromChild) => events.message(message));
  // An uncaught exception or an out-of-memory stop arrives here, just before 'exit'.
  worker.on('error', (cause) => (error = toWireError(cause)));
  worker.once('exit', (code) => {
    worker.removeAllListeners();
    const outOfMemory = error?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    events.exit({ code, signal: null, error, output: output.last(), outOfMemory });
  });
  return {
    id: worker.threadId,
    send: (message) => worker.postMessage(message),
    kill: () => void worker.terminate(),
  };
}
