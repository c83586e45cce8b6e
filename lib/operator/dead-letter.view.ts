import type { DeadLetter } from '../brokers/broker.interface.js';
import { celeryWireCodec } from '../protocol/celery/celery.codec.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';
import { celeriacWireCodec } from '../protocol/wire-codec.js';

/** A dead letter with what its body says about the task, when the body is a task message at all. */
export interface DeadLetterView extends DeadLetter {
  /** Task name, when the body decodes as an envelope (Celeriac's or Celery's format). */
  task?: string;
  /** Task id, likewise. */
  taskId?: string;
  /** Positional arguments, likewise. */
  args?: TaskEnvelope['args'];
}

/** The envelope a dead letter carries, or undefined for a body no format understands (garbage). */
export function envelopeOf(letter: DeadLetter): TaskEnvelope | undefined {
  const message = { ...letter, headers: letter.headers ?? {}, properties: letter.properties ?? {} };
  for (const codec of [celeriacWireCodec, celeryWireCodec]) {
    try {
      return codec.decode(message);
    } catch {
      // not this format: try the next one
    }
  }
  return undefined;
}

export function viewDeadLetter(letter: DeadLetter): DeadLetterView {
  const envelope = envelopeOf(letter);
  return envelope ? { ...letter, task: envelope.task, taskId: envelope.id, args: envelope.args } : letter;
}
