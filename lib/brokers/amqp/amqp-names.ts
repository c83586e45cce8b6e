import { protocolOf, type QueueProtocol, type QueueProtocols } from '../../protocol/queue-protocol.js';

/**
 * Every exchange and queue name of one prefix. A logical queue `q` becomes `<prefix>.q`; what
 * belongs to it hangs off that name after a `:`, which keeps a queue's own delay and
 * dead-letter queues sorted next to it in `rabbitmqctl list_queues`. A queue in Celery's wire mode
 * keeps Celery's names instead: work queue and direct exchange both named after the queue itself.
 */
export class AmqpNames {
  /** Direct exchange: routing key = logical queue name → that work queue. */
  readonly tasksExchange: string;
  /** Direct exchange: routing key = logical queue name → that queue's dead-letter queue. */
  readonly deadLetterExchange: string;

  constructor(
    readonly prefix: string,
    private readonly protocols: QueueProtocols = {},
  ) {
    this.tasksExchange = `${prefix}.tasks`;
    this.deadLetterExchange = `${prefix}.dead-letter`;
  }

  /** The queue's wire format; anything but `celeriac` is a foreign wire mode. */
  protocolOf(queue: string): QueueProtocol {
    return protocolOf(this.protocols, queue);
  }

  workQueue(queue: string): string {
    return this.protocolOf(queue) === 'celery' ? queue : `${this.prefix}.${queue}`;
  }

  /** Exchange a queue's messages are published to, with the queue's name as routing key. */
  workExchange(queue: string): string {
    return this.protocolOf(queue) === 'celery' ? queue : this.tasksExchange;
  }

  deadLetterQueue(queue: string): string {
    return `${this.prefix}.${queue}:dead-letter`;
  }

  /** Name of both the topic exchange and the TTL queue of one delay level. */
  delayLevel(queue: string, level: number): string {
    return `${this.prefix}.${queue}:delay-${String(level).padStart(2, '0')}`;
  }
}
