import type { ResultBackend } from '../backends/result-backend.interface.js';
import { TaskState } from '../backends/task-state.js';
import type { Broker } from '../brokers/broker.interface.js';
import { envelopeOf } from './dead-letter.view.js';

/**
 * Replays dead letters so their tasks run again: each task's stored outcome (the FAILURE that
 * came with dead-lettering) is first reset to PENDING — a worker otherwise settles a message
 * whose task already finished as a duplicate, without running it. `messageIds`: those, or all.
 * Resolves with how many messages went back on the queue.
 */
export async function replayDeadLetters(
  broker: Broker,
  backend: ResultBackend | undefined,
  queue: string,
  messageIds?: readonly string[],
  resultTtlMs?: number,
): Promise<number> {
  if (backend) {
    const wanted = messageIds ? new Set(messageIds) : undefined;
    const letters = (await broker.deadLetters(queue, Number.MAX_SAFE_INTEGER)).filter(
      (letter) => !wanted || wanted.has(letter.messageId),
    );
    await Promise.all(
      letters.map(async (letter) => {
        const envelope = envelopeOf(letter);
        if (!envelope) return;
        const record = await backend.get(envelope.id);
        if (record?.state !== TaskState.FAILURE) return;
        const pending = { ...record, state: TaskState.PENDING, updatedAt: Date.now() };
        delete pending.error;
        await backend.write(pending, { ttlMs: resultTtlMs });
      }),
    );
  }
  return broker.replayDeadLetters(queue, messageIds);
}
