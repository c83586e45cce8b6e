import type { RequeueOptions } from '../../broker.interface.js';
import type { LeaseKeeper } from '../lease-keeper.js';
import { RedisDelivery, type DeliverySettler } from '../redis-delivery.js';
import { stepIndexOf, type KombuKeys } from './kombu-keys.js';
import {
  readKombuPayload,
  requeuedPayload,
  restoredPayload,
  unackedEntry,
  type KombuPayload,
} from './kombu-payload.js';
import type { KombuScripts } from './kombu-scripts.js';
import type { CeleriacLogger } from '../../../logging/celeriac-logger.js';

/** What deliveries need from their transport. */
export interface DeliveriesHost {
  readonly logger: CeleriacLogger;
  readonly scripts: KombuScripts;
  readonly visibilityTimeoutMs: number;
  readonly deadLetterLimit: number;
  keysOf(queue: string): KombuKeys;
}

interface Open {
  delivery: RedisDelivery;
  payload: KombuPayload;
}

/**
 * The unsettled deliveries of kombu-layout queues: each is an unacked entry this process holds,
 * marked as delivered again every third of the visibility timeout while it is unsettled, so neither
 * Celeriac's restore nor Celery's hands it to another consumer while its task runs.
 */
export class KombuDeliveries {
  private readonly unsettled = new Set<Open>();

  constructor(
    private readonly host: DeliveriesHost,
    private readonly leases: LeaseKeeper,
  ) {}

  /** A delivery of a fetched message; an element kombu can store but Celeriac cannot read is dead-lettered. */
  async open(
    queue: string,
    message: { tag: string; token: string; raw: string },
    onReleased: () => void,
  ): Promise<RedisDelivery | undefined> {
    let payload: KombuPayload;
    try {
      payload = JSON.parse(message.raw) as KombuPayload;
    } catch (error) {
      const reason = `not a kombu message (${(error as Error).message})`;
      const record = JSON.stringify({
        messageId: message.tag,
        queue,
        body: message.raw,
        reason,
        at: Date.now(),
      });
      await this.host.scripts.deadLetter(
        this.host.keysOf(queue),
        message.tag,
        message.token,
        record,
        this.host.deadLetterLimit,
      );
      return undefined;
    }
    const read = readKombuPayload(payload);
    const fetched = { ...read, mid: message.tag, token: message.token };
    const entry: Open = { payload, delivery: undefined as unknown as RedisDelivery };
    entry.delivery = new RedisDelivery(queue, fetched, this.settler(queue, entry, onReleased));
    this.leases.hold(queue, message.tag, message.token);
    this.unsettled.add(entry);
    return entry.delivery;
  }

  /** On close: every unsettled delivery goes back to the head of its queue, counted as a return. */
  async giveBackAll(): Promise<void> {
    this.leases.stop();
    const open = [...this.unsettled].filter(({ delivery }) => delivery.giveBack());
    this.unsettled.clear();
    // Unreachable Redis: the entries stay in `unacked` and are restored after the visibility timeout.
    await Promise.all(
      open.map(({ delivery, payload }) => {
        const next = restoredPayload(payload);
        const list = this.host.keysOf(delivery.queue).lists[stepOf(next)];
        return this.host.scripts
          .move(
            this.host.keysOf(delivery.queue),
            list,
            delivery.mid,
            delivery.token,
            JSON.stringify(next),
            'head',
          )
          .catch(() => false);
      }),
    );
  }

  private settler(queue: string, open: Open, onReleased: () => void): DeliverySettler {
    const { scripts } = this.host;
    const k = this.host.keysOf(queue);
    return {
      ack: async (d) => this.reportStale(d, await scripts.ack(k, d.mid, d.token)),
      requeue: async (d, options) => this.reportStale(d, await this.requeue(k, d, open.payload, options)),
      deadLetter: async (d, reason) => {
        const record = JSON.stringify({
          messageId: d.messageId,
          queue,
          body: d.body,
          reason,
          at: Date.now(),
          priority: d.priority,
          ...(Object.keys(d.headers).length > 0 ? { headers: d.headers } : {}),
          ...(Object.keys(d.properties).length > 0 ? { properties: d.properties } : {}),
        });
        this.reportStale(d, await scripts.deadLetter(k, d.mid, d.token, record, this.host.deadLetterLimit));
      },
      released: (d) => {
        this.leases.release(queue, d.mid);
        this.unsettled.delete(open);
        onReleased();
      },
    };
  }

  /**
   * Now: to the tail of its priority's list. Later: held in `unacked`, scored to fall visible when
   * due, so the message stays in Redis (a restart loses none) and any kombu consumer's restore
   * puts it back on the queue then.
   */
  private requeue(k: KombuKeys, d: RedisDelivery, payload: KombuPayload, options: RequeueOptions) {
    const delayMs = Math.max(0, Math.ceil(options.delayMs ?? 0));
    if (delayMs > 0) {
      const next = requeuedPayload(payload, options, Date.now() + delayMs);
      const entry = unackedEntry(next, d.queue);
      return this.host.scripts.hold(k, d.mid, d.token, entry, delayMs, this.host.visibilityTimeoutMs);
    }
    const next = requeuedPayload(payload, options);
    return this.host.scripts.move(k, k.lists[stepOf(next)], d.mid, d.token, JSON.stringify(next), 'tail');
  }

  private reportStale(delivery: RedisDelivery, applied: boolean): void {
    if (applied) return;
    this.host.logger.warn(
      `queue "${delivery.queue}": message ${delivery.messageId} was settled after its unacked entry was restored; ignored (it is redelivered)`,
    );
  }
}

function stepOf(payload: KombuPayload): number {
  return stepIndexOf(typeof payload.properties.priority === 'number' ? payload.properties.priority : 0);
}
