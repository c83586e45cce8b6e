import { type ChildProcess, fork } from 'node:child_process';
import { type FromChild, toWireError, type WireError } from './child-protocol.js';
import { OutputTail } from './output-tail.js';
import { POOL_CHILD_ENV } from './pool-child-marker.js';
import type { ChildEvents, ChildSpec, PoolChild } from './pool-child.interface.js';

/** After 'exit', stderr may still hold the child's last words; wait this long for them at most. */
const OUTPUT_DRAIN_MS = 200;

/**
 * Starts a `processes` pool child: `fork` of the application's entry with the parent's
 * `execArgv` (loaders such as `--import tsx` carry over; debugger flags do not, as their port
 * would clash) and arguments. The heap ceiling becomes `--max-old-space-size`.
 */
export function spawnProcess(spec: ChildSpec, events: ChildEvents): PoolChild {
  const execArgv = process.execArgv.filter((arg) => !/^--(inspect|debug)/.test(arg));
  if (spec.maxHeapMb) execArgv.push(`--max-old-space-size=${spec.maxHeapMb}`);
  const child = fork(spec.entry, process.argv.slice(2), {
    execArgv,
    env: { ...process.env, [POOL_CHILD_ENV]: JSON.stringify(spec.marker) },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  const output = new OutputTail(child.stderr);
  let error: WireError | undefined;
  child.on('message', (message: FromChild) => {
    if (message.type === 'fatal') error = message.error;
    events.message(message);
  });
  const gone = onceGone(child, (code, signal) => {
    child.removeAllListeners();
    child.stderr?.removeAllListeners();
    events.exit({ code, signal, error, output: output.last(), outOfMemory: output.outOfMemory });
  });
  // Sends to a child already gone land here ('exit' follows or has happened), and so does a
  // failure to start at all, which no 'exit' follows.
  child.on('error', (cause) => {
    error ??= toWireError(cause);
    if (child.pid === undefined) gone(null, null);
  });
  return {
    id: child.pid ?? -1,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    kill: () => void child.kill('SIGKILL'),
  };
}

/** 'close' (exited and stderr drained), or shortly after 'exit' if a grandchild holds stderr open. */
function onceGone(
  child: ChildProcess,
  done: (code: number | null, signal: string | null) => void,
): (code: number | null, signal: string | null) => void {
  let called = false;
  const finish = (code: number | null, signal: string | null): void => {
    if (called) return;
    called = true;
    done(code, signal);
  };
  child.once('close', finish);
  child.once('exit', (code, signal) => {
    setTimeout(() => finish(code, signal), OUTPUT_DRAIN_MS).unref();
  });
  return finish;
}
