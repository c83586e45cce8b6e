import type { ResultBackend } from '../backends/result-backend.interface.js';
import { TaskState } from '../backends/task-state.js';
import type { Broker } from '../brokers/broker.interface.js';
import { envelopeOf } from './dead-letter.view.js';

/**
 * Replays dead letters so their tasks run again: each task's stored outcome (the FAILURE that
 * came with dead-lettering) is first reset to PENDING — a worker otherwise settles a message
 * whose task already finished as a duplicate, without running it. `backend`: one, or several when
 * the caller cannot tell which record format the workers use (each is reset where it holds a
 * FAILURE). `messageIds`: those, or all. Resolves with how many messages went back on the queue.
 */
export async function replayDeadLetters(
  broker: Broker,
  backend: ResultBackend | readonly ResultBackend[] | undefined,
  queue: string,
  messageIds?: readonly string[],
  resultTtlMs?: number,
): Promise<number> {
  const backends: readonly ResultBackend[] =
    backend === undefined ? [] : 'get' in backend ? [backend] : backend;
  if (backends.length > 0) {
    const wanted = messageIds ? new Set(messageIds) : undefined;
    const letters = (await broker.deadLetters(queue, Number.MAX_SAFE_INTEGER)).filter(
      (letter) => !wanted || wanted.has(letter.messageId),
    );
    const ids = letters.flatMap((letter) => envelopeOf(letter)?.id ?? []);
    await Promise.all(backends.flatMap((store) => ids.map((id) => resetFailure(store, id, resultTtlMs))));
  }
  return broker.replayDeadLetters(queue, messageIds);
}

async function resetFailure(
  backend: ResultBackend,
  taskId: string,
  ttlMs: number | undefined,
): Promise<void> {
  const record = await backend.get(taskId);
  if (record?.state !== TaskState.FAILURE) return;
  const pending = { ...record, state: TaskState.PENDING, updatedAt: Date.now() };
  delete pending.error;
  await backend.write(pending, { ttlMs });
}
