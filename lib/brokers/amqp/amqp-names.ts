/**
 * Every exchange and queue name of one prefix. A logical queue `q` becomes `<prefix>.q`; what
 * belongs to it hangs off that name after a `:`, which keeps a queue's own delay and
 * dead-letter queues sorted next to it in `rabbitmqctl list_queues`.
 */
export class AmqpNames {
  /** Direct exchange: routing key = logical queue name → that work queue. */
  readonly tasksExchange: string;
  /** Direct exchange: routing key = logical queue name → that queue's dead-letter queue. */
  readonly deadLetterExchange: string;

  constructor(readonly prefix: string) {
    this.tasksExchange = `${prefix}.tasks`;
    this.deadLetterExchange = `${prefix}.dead-letter`;
  }

  workQueue(queue: string): string {
    return `${this.prefix}.${queue}`;
  }

  deadLetterQueue(queue: string): string {
    return `${this.prefix}.${queue}:dead-letter`;
  }

  /** Name of both the topic exchange and the TTL queue of one delay level. */
  delayLevel(queue: string, level: number): string {
    return `${this.prefix}.${queue}:delay-${String(level).padStart(2, '0')}`;
  }
}
