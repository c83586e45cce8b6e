import type {
  Broker,
  ConsumeOptions,
  Consumer,
  DeadLetter,
  DeliveryHandler,
  PublishOptions,
  QueueStats,
} from '../brokers/broker.interface.js';
import type { WireCodecs } from '../protocol/wire-codecs.js';
import type { SentTaskLog } from './sent-task.log.js';

/**
 * The testing module's broker: the embedded one, with every published task written to the log
 * before it is handed on (so the worker cannot finish a task the log has not seen).
 */
export class RecordingBroker implements Broker {
  readonly kind: string;

  constructor(
    private readonly inner: Broker,
    private readonly wire: WireCodecs,
    private readonly log: SentTaskLog,
  ) {
    this.kind = inner.kind;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  publish(queue: string, body: string, options: PublishOptions = {}): Promise<void> {
    const envelope = this.wire.decode({
      queue,
      body,
      headers: options.headers ?? {},
      properties: options.properties ?? {},
    });
    this.log.record({
      id: envelope.id,
      task: envelope.task,
      queue,
      args: envelope.args,
      kwargs: envelope.kwargs,
      eta: envelope.eta,
      priority: envelope.priority,
      parentId: envelope.parentId,
    });
    return this.inner.publish(queue, body, options);
  }

  consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer> {
    return this.inner.consume(queue, handler, options);
  }

  deadLetters(queue: string, limit?: number): Promise<DeadLetter[]> {
    return this.inner.deadLetters(queue, limit);
  }

  replayDeadLetters(queue: string, messageIds?: readonly string[]): Promise<number> {
    return this.inner.replayDeadLetters(queue, messageIds);
  }

  deleteDeadLetters(queue: string, messageIds?: readonly string[]): Promise<number> {
    return this.inner.deleteDeadLetters(queue, messageIds);
  }

  size(queue: string): Promise<number> {
    return this.inner.size(queue);
  }

  stats(queue: string): Promise<QueueStats> {
    return this.inner.stats(queue);
  }

  purge(queue: string): Promise<void> {
    return this.inner.purge(queue);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
