import type { DeadLetter } from '../brokers/broker.interface.js';
import type { QueueProtocol } from '../protocol/queue-protocol.js';

/**
 * Whether a dead letter is a Celery protocol-v2 task message: such a message names its task and id in
 * its headers (`task`, `id`), which the brokers keep with every dead letter. Celeriac's own envelope
 * carries both in its body and sets neither header.
 */
export function isCeleryLetter(letter: DeadLetter): boolean {
  const headers = letter.headers ?? {};
  return typeof headers.task === 'string' && typeof headers.id === 'string';
}

/**
 * The wire protocol of a queue as its dead letters show it, for a process (the CLI) that does not
 * have the application's queue table: `celery` when any letter is a Celery task message — a queue
 * has one protocol, so one such letter settles it — else `celeriac`. A queue whose letters are all
 * headerless garbage reads as `celeriac`; an operator says `--protocol celery` for it.
 */
export function protocolOfDeadLetters(letters: readonly DeadLetter[]): QueueProtocol {
  return letters.some(isCeleryLetter) ? 'celery' : 'celeriac';
}
