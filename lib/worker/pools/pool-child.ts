import { getHeapStatistics } from 'node:v8';
import { parentPort, threadId } from 'node:worker_threads';
import type { TaskRegistry } from '../../discovery/task.registry.js';
import { createInvoker } from '../task.invoker.js';
import {
  type FromChild,
  fromWireError,
  type ResultMessage,
  type RunMessage,
  type ToChild,
  toWireError,
} from './child-protocol.js';
import type { PoolChildMarker } from './pool-child-marker.js';
import type { TaskInvoker } from './pool.interface.js';

interface ParentChannel {
  send(message: FromChild, then?: () => void): void;
  onMessage(listener: (message: ToChild) => void): void;
}

/**
 * The child's side of a `threads` / `processes` pool, started once the application inside the
 * child has booted: runs what the parent sends on the real providers (through the same invoker
 * as in-process pools), passes progress up, and answers with JSON text or the error as data.
 * The returned promise never settles, so whatever the entry does after bootstrap (binding its
 * HTTP port, consuming a broker) never happens in a child.
 */
export function servePoolChild(registry: TaskRegistry, marker: PoolChildMarker): Promise<never> {
  const channel = openChannel();
  const invoke = createInvoker(registry);
  const running = new Map<string, AbortController>();
  channel.onMessage((message) => {
    if (message.type === 'run') void runTask(message, { invoke, channel, running, marker });
    else if (message.type === 'abort') running.get(message.id)?.abort(fromWireError(message.reason));
    else process.exit(0);
  });
  if (marker.pool === 'processes') {
    // An error thrown outside any task's promise: say what it was before going.
    process.on('uncaughtException', (error) => {
      channel.send({ type: 'fatal', error: toWireError(error) }, () => process.exit(1));
    });
    // The parent is gone: nobody will ever send work again.
    process.on('disconnect', () => process.exit(0));
  }
  channel.send({ type: 'ready', pid: process.pid, threadId, tasks: registry.all().map((task) => task.name) });
  return new Promise<never>(() => undefined);
}

interface RunContext {
  invoke: TaskInvoker;
  channel: ParentChannel;
  running: Map<string, AbortController>;
  marker: PoolChildMarker;
}

async function runTask(message: RunMessage, context: RunContext): Promise<void> {
  const { id, task, queue, args, retries, rootId, parentId, timeLimit } = message;
  const controller = new AbortController();
  context.running.set(id, controller);
  let reply: ResultMessage;
  try {
    const value = await context.invoke({
      id,
      task,
      queue,
      args,
      retries,
      rootId,
      parentId,
      timeLimit,
      signal: controller.signal,
      // async, so a value that is not JSON rejects the task's await rather than throwing past it.
      // eslint-disable-next-line @typescript-eslint/require-await
      progress: async (progress) => {
        const json = toJsonText(progress, `progress of task "${task}"`);
        context.channel.send({ type: 'progress', id, json });
      },
    });
    const json = toJsonText(value, `result of task "${task}"`);
    reply = { type: 'result', id, ok: true, json, memory: memoryInUse(context.marker) };
  } catch (error) {
    reply = { type: 'result', id, ok: false, error: toWireError(error), memory: memoryInUse(context.marker) };
  } finally {
    context.running.delete(id);
  }
  context.channel.send(reply);
}

/** The same rule as in-process results (`undefined` is `null`), but as the text that crosses. */
function toJsonText(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    throw new TypeError(`${what} is not JSON-serializable: ${(error as Error).message}`);
  }
  if (text === undefined) throw new TypeError(`${what} is not JSON-serializable (${typeof value})`);
  return text;
}

/** A process is measured by its resident memory; a thread shares that, so by its own heap. */
function memoryInUse(marker: PoolChildMarker): number {
  return marker.pool === 'processes' ? process.memoryUsage.rss() : getHeapStatistics().used_heap_size;
}

function openChannel(): ParentChannel {
  const port = parentPort;
  if (port) {
    return {
      send: (message, then) => {
        port.postMessage(message);
        then?.();
      },
      onMessage: (listener) => port.on('message', listener),
    };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error('a processes pool child has no IPC channel to its parent');
  return {
    send: (message, then) => void send(message, undefined, undefined, () => then?.()),
    onMessage: (listener) => process.on('message', listener),
  };
}
