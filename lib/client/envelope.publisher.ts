import type { ResultBackend } from '../backends/result-backend.interface.js';
import { buildTaskRecord } from '../backends/build-task-record.js';
import { TaskState } from '../backends/task-state.js';
import type { BatchMessage, Broker, CompanionWrite, PublishOptions } from '../brokers/broker.interface.js';
import { shareStandaloneRedis } from '../redis/shared-server.js';
import { PayloadTooLargeError } from '../errors/payload-too-large.error.js';
import { InvalidArgumentsError } from '../errors/invalid-arguments.error.js';
import { findForbiddenKey, mayHoldForbiddenKey } from '../protocol/forbidden-keys.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';
import type { WireMessage } from '../protocol/wire-codec.js';
import { WireCodecs } from '../protocol/wire-codecs.js';
import { messagingSystemOf, traceSend, traceSendMany } from '../telemetry/task-tracing.js';
import { eventCall } from '../worker/task-event-call.js';
import type { TaskEvents } from '../worker/task-events.js';

/** Writes PENDING records and publishes envelopes; shared by the client and the workflow steps. */
export class EnvelopePublisher {
  private readonly messagingSystem: string;

  constructor(
    private readonly broker: Broker,
    private readonly backend: ResultBackend,
    private readonly maxPayloadBytes: number,
    private readonly resultTtlMs: number,
    /** Each queue's wire format (Celeriac's envelope unless the queue table says otherwise). */
    private readonly wire = new WireCodecs(),
    /** Where `task-sent` goes once the broker confirmed a message (absent: a re-publish, not a send). */
    private readonly events?: TaskEvents,
  ) {
    this.messagingSystem = messagingSystemOf(broker.kind);
  }

  /**
   * Encodes in the queue's wire format and checks what a worker would refuse, before anything is
   * written: the size ({@link PayloadTooLargeError}) and keys that reach a prototype
   * (`__proto__`, `constructor`, `prototype`; {@link InvalidArgumentsError}).
   */
  encode(envelope: TaskEnvelope): WireMessage {
    const message = this.wire.encode(envelope);
    const bytes = Buffer.byteLength(message.body);
    if (bytes > this.maxPayloadBytes)
      throw new PayloadTooLargeError(envelope.task, bytes, this.maxPayloadBytes);
    if (mayHoldForbiddenKey(message.body)) {
      const path = findForbiddenKey({ args: envelope.args, kwargs: envelope.kwargs }, 'task');
      if (path !== undefined) {
        throw new InvalidArgumentsError(
          envelope.task,
          `forbidden key at ${path} (workers refuse __proto__, constructor and prototype)`,
        );
      }
    }
    return message;
  }

  /**
   * PENDING is created only where the task has no record yet, so it may go out alongside the
   * publish: a fast worker's STARTED or SUCCESS is never overwritten by it. A task sent with
   * `ignoreResult` gets none.
   */
  async writePending(envelope: TaskEnvelope): Promise<void> {
    if (envelope.ignoreResult) return;
    await this.backend.create(buildTaskRecord(envelope, TaskState.PENDING), { ttlMs: this.resultTtlMs });
  }

  /**
   * The task's PENDING record and its message. Where broker and backend share one standalone Redis
   * they go in one script (one command instead of two); elsewhere side by side.
   */
  async publishWithPending(envelope: TaskEnvelope, message: WireMessage): Promise<void> {
    const pending = this.pendingCompanion(envelope);
    if (pending) return this.publish(envelope, message, pending);
    await Promise.all([this.writePending(envelope), this.publish(envelope, message)]);
  }

  /**
   * Envelopes of one queue (already encoded, `messages[i]` of `envelopes[i]`), each with its PENDING
   * record, published in order in as few broker calls as the broker allows: one script per thousand
   * on Redis, with the records inside where broker and backend share one standalone Redis; one
   * publish each (their confirms batched by the broker) elsewhere. Resolves once all are confirmed.
   */
  async publishManyWithPending(
    envelopes: readonly TaskEnvelope[],
    messages: readonly WireMessage[],
  ): Promise<void> {
    await traceSendMany(envelopes, this.messagingSystem, async (traced) => {
      const batch: BatchMessage[] = envelopes.map((envelope, at) => {
        // With a live span the envelope carries its trace context, so it is encoded again.
        const copy = traced[at];
        const wire = copy ? this.encode(copy) : messages[at];
        const write = this.pendingCompanion(envelope);
        return { body: wire.body, options: publishOptionsOf(envelope, wire), write };
      });
      const apart = envelopes.filter((_envelope, at) => !batch[at].write);
      await Promise.all([
        this.sendBatch(envelopes[0].queue, batch),
        ...apart.map((e) => this.writePending(e)),
      ]);
    });
    for (const envelope of envelopes) this.emitSent(envelope);
  }

  /** Resolves once the broker confirmed the message; traced as a `send <task>` span. */
  async publish(envelope: TaskEnvelope, message?: WireMessage, pending?: CompanionWrite): Promise<void> {
    await this.publishTraced(envelope, message, pending);
    this.emitSent(envelope);
  }

  private async sendBatch(queue: string, batch: BatchMessage[]): Promise<void> {
    const { broker } = this;
    if (broker.publishMany) return broker.publishMany(queue, batch);
    await Promise.all(
      batch.map(({ body, options, write }) =>
        write && broker.publishWith
          ? broker.publishWith(queue, body, options, write)
          : broker.publish(queue, body, options),
      ),
    );
  }

  private emitSent(envelope: TaskEnvelope): void {
    this.events?.emitTask({
      type: 'task-sent',
      id: envelope.id,
      task: envelope.task,
      queue: envelope.queue,
      retries: envelope.retries,
      eta: envelope.eta,
      ...eventCall(envelope),
    });
  }

  private pendingCompanion(envelope: TaskEnvelope): CompanionWrite | undefined {
    const { broker, backend } = this;
    if (envelope.ignoreResult || !broker.publishWith || !backend.companionWrite) return undefined;
    if (!shareStandaloneRedis(broker, backend)) return undefined;
    const record = buildTaskRecord(envelope, TaskState.PENDING);
    return backend.companionWrite(record, { ttlMs: this.resultTtlMs, onlyIfAbsent: true });
  }

  private async publishTraced(
    envelope: TaskEnvelope,
    message: WireMessage | undefined,
    pending: CompanionWrite | undefined,
  ): Promise<void> {
    await traceSend(envelope, this.messagingSystem, (traced) => {
      // With a live span the envelope carries its trace context, so it is encoded again.
      const wire = traced ? this.encode(traced) : (message ?? this.encode(envelope));
      const options = publishOptionsOf(envelope, wire);
      return pending && this.broker.publishWith
        ? this.broker.publishWith(envelope.queue, wire.body, options, pending)
        : this.broker.publish(envelope.queue, wire.body, options);
    });
  }
}

function publishOptionsOf(envelope: TaskEnvelope, wire: WireMessage): PublishOptions {
  return {
    delayMs: envelope.eta === undefined ? undefined : Math.max(0, envelope.eta - Date.now()),
    priority: envelope.priority,
    messageId: envelope.id,
    headers: wire.headers,
    properties: wire.properties,
  };
}
