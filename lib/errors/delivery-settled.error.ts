import { CeleriacError } from './celeriac.error.js';

/**
 * A delivery was settled (acked, requeued or dead-lettered) a second time. The first settlement stands; the
 * second is refused loudly rather than ignored, because it means two code paths both believed
 * they owned the message.
 */
export class DeliverySettledError extends CeleriacError {
  constructor(messageId: string, queue: string, outcome: string) {
    super(
      'DELIVERY_SETTLED',
      `message ${messageId} on queue "${queue}" was already ${outcome}; a delivery settles once`,
    );
  }
}
