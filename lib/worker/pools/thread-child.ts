import { Worker } from 'node:worker_threads';
import { type FromChild, toWireError, type WireError } from './child-protocol.js';
import { OutputTail } from './output-tail.js';
import { POOL_CHILD_DATA_KEY } from './pool-child-marker.js';
import type { ChildEvents, ChildSpec, PoolChild } from './pool-child.interface.js';

/**
 * What a thread runs first: tsx (under Node 20) registers its TypeScript hooks in the main
 * thread only, so a `.ts` entry needs them registered in the thread before it is imported. The
 * entry then runs as if started directly (argv[1] is the entry).
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const { entry, tsx } = workerData.${POOL_CHILD_DATA_KEY}.boot;
(async () => {
  if (tsx) (await import('tsx/esm/api')).register();
  process.argv[1] = entry;
  await import(require('node:url').pathToFileURL(entry).href);
})();
`;

/**
 * Starts a `threads` pool child: a worker thread running the application's entry. It inherits
 * the parent's `execArgv` (so `--import` preloads carry over) and arguments; the heap ceiling is
 * the thread's own resource limit.
 */
export function spawnThread(spec: ChildSpec, events: ChildEvents): PoolChild {
  const tsx = /\.[cm]?tsx?$/.test(spec.entry) && process.execArgv.some((arg) => /\btsx\b/.test(arg));
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    workerData: { [POOL_CHILD_DATA_KEY]: { ...spec.marker, boot: { entry: spec.entry, tsx } } },
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
