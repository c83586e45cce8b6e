/** What the batcher needs of a delivered message: its channel-wide delivery tag. */
export interface Tagged {
  fields: { deliveryTag: number };
}

type State = 'unsettled' | 'ack-due' | 'done';

/**
 * Coalesces acks of one channel. Acks requested while handling a burst of deliveries are sent
 * together once the current I/O turn is over: the settled prefix of the delivery order as a single
 * `multiple` ack on its highest acked tag, every ack beyond a still-running delivery on its own (so
 * a long task never holds other acks back, and prefetch slots free up as before). Delivery tags
 * increase in delivery order on a channel, which is what makes the prefix ack exact.
 */
export class AckBatcher<M extends Tagged> {
  /** Deliveries in tag order from the oldest not yet covered by a sent ack. */
  private readonly window: { message: M; state: State }[] = [];
  private readonly byTag = new Map<number, { message: M; state: State }>();
  private due = 0;
  private scheduled = false;

  /** `send` must not throw: it is called from a scheduled flush. */
  constructor(
    private readonly send: (message: M, multiple: boolean) => void,
    private readonly schedule: (flush: () => void) => void = (flush) => void setImmediate(flush),
  ) {}

  delivered(message: M): void {
    const entry = { message, state: 'unsettled' as State };
    this.window.push(entry);
    this.byTag.set(message.fields.deliveryTag, entry);
  }

  /** Requests an ack; it is sent at the next flush. */
  ack(message: M): void {
    const entry = this.byTag.get(message.fields.deliveryTag);
    if (!entry || entry.state !== 'unsettled') return;
    entry.state = 'ack-due';
    this.due++;
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  /** Marks a delivery settled some other way (a nack sent by the caller): never acked by a batch. */
  settledElsewhere(message: M): void {
    const entry = this.byTag.get(message.fields.deliveryTag);
    if (entry?.state === 'unsettled') entry.state = 'done';
    this.trimPrefix();
  }

  /** Sends every ack requested so far. */
  flush(): void {
    this.scheduled = false;
    if (this.due === 0) return;
    this.due = 0;
    let last: M | undefined;
    while (this.window.length > 0 && this.window[0].state !== 'unsettled') {
      const entry = this.window.shift()!;
      this.byTag.delete(entry.message.fields.deliveryTag);
      if (entry.state === 'ack-due') last = entry.message;
    }
    if (last) this.send(last, true);
    for (const entry of this.window) {
      if (entry.state !== 'ack-due') continue;
      this.send(entry.message, false);
      entry.state = 'done';
    }
  }

  private trimPrefix(): void {
    while (this.window.length > 0 && this.window[0].state === 'done') {
      this.byTag.delete(this.window.shift()!.message.fields.deliveryTag);
    }
  }
}
