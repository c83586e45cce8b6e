import type { LoggerService } from '@nestjs/common';
import { buildTaskRecord } from '../backends/build-task-record.js';
import type { ResultBackend } from '../backends/result-backend.interface.js';
import type { TaskRecord } from '../backends/task-record.js';
import { isReadyState, TaskState } from '../backends/task-state.js';
import type { Delivery } from '../brokers/broker.interface.js';
import { schemeOf } from '../brokers/broker-url.js';
import type { ResolvedCeleriacOptions } from '../celeriac-options.interface.js';
import type { TaskDefinition } from '../discovery/task-definition.js';
import type { TaskRegistry } from '../discovery/task.registry.js';
import { UnknownTaskError } from '../errors/unknown-task.error.js';
import { InvalidEnvelopeError } from '../errors/invalid-envelope.error.js';
import { StaleAttemptError } from '../errors/stale-attempt.error.js';
import type { JsonValue } from '../protocol/json-value.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';
import { bindArguments } from '../protocol/bind-arguments.js';
import { type WireCodecs, wireCodecsFor } from '../protocol/wire-codecs.js';
import { toErrorInfo } from '../errors/error-info.js';
import { attemptLabel, errorSummary, formatDelay } from '../logging/attempt-label.js';
import { createCeleriacLogger } from '../logging/celeriac-logger.js';
import type { Pool } from './pools/pool.interface.js';
import { DeliveryPolicies, type DeliveryPolicyHost } from './delivery-policies.js';
import { RateLimiter } from './rate-limiter.js';
import type { RateLimit } from '../decorators/rate-limit.js';
import { decideFailure } from './retry-policy.js';
import { TaskAbort } from './task-abort.js';
import { type AttemptOutcome, createInvocation, runAttempt } from './task-attempt.js';
import type { TaskEvent, TaskEvents, TaskEventType } from './task-events.js';
import { eventCall } from './task-event-call.js';
import type { HeldTaskInfo } from '../control/control-commands.js';
import { WorkflowContinuation } from './workflow-continuation.js';
import { messagingSystemOf, traceRun } from '../telemetry/task-tracing.js';

/** A delivery the executor holds until it settles it (or hands it back at shutdown). */
interface InFlight {
  delivery: Delivery;
  abort: TaskAbort;
  pool: Pool;
  /** Set when shutdown requeued the delivery: the attempt's outcome is then discarded. */
  abandoned: boolean;
  /** Known once the body decoded. */
  taskId?: string;
  envelope?: TaskEnvelope;
  /** What inspect reports: waiting to start, waiting for its per-worker rate limit, or running. */
  phase: HeldTaskInfo['phase'];
  receivedAt: number;
  startedAt?: number;
  /** When a `scheduled` task may start. */
  eta?: number;
  /**
   * The fence the attempt's writes carry, once it began (0: an attempt that claimed none; absent: a
   * backend that does not fence). A later attempt of the task claims a higher one.
   */
  fence?: number;
}

/** What the worker around the executor adds: its id, where events go besides `TaskEvents`. */
export interface ExecutorHost extends Pick<DeliveryPolicyHost, 'publish' | 'leaseMs'> {
  /** Id of the worker, carried by every event. */
  workerId?: string;
  /** Also called with every event (the event bus publisher, when events are on). */
  onEvent?: (event: TaskEvent) => void;
  /** Whether the broker and the backend share one standalone Redis (a result may go with its ack). */
  sharesRedis?: () => boolean;
}

/** What an event says beyond the task's own fields. */
interface EventDetails {
  queue?: string;
  error?: unknown;
  runtime?: number;
  progress?: JsonValue;
  wait?: number;
  eta?: number;
}

/**
 * Runs one delivery to its outcome: validates it, skips what is revoked or expired, waits for a
 * rate-limit token, runs the attempt on the queue's pool, stores the outcome and only then
 * acknowledges (acks late). Never throws: every problem becomes a stored state, a retry or a
 * dead letter with its reason.
 */
export class TaskExecutor {
  private readonly logger: LoggerService;
  private readonly inFlight = new Map<Delivery, InFlight>();
  private readonly rateLimiter = new RateLimiter();
  private readonly idleWaiters = new Set<() => void>();
  private readonly wire: WireCodecs;
  private readonly messagingSystem: string;
  private readonly policies: DeliveryPolicies;
  /** Time limits changed at run time (remote control), by task name; null clears the task's own. */
  private readonly timeLimits = new Map<string, number | null>();
  private finished = 0;

  constructor(
    private readonly registry: TaskRegistry,
    private readonly backend: ResultBackend,
    private readonly options: ResolvedCeleriacOptions,
    private readonly events: TaskEvents,
    private readonly continuation: WorkflowContinuation,
    private readonly host: ExecutorHost = {},
  ) {
    this.logger = createCeleriacLogger('Celeriac', options.logger);
    this.wire = wireCodecsFor(options);
    this.messagingSystem = messagingSystemOf(schemeOf(options.broker));
    this.policies = new DeliveryPolicies({
      publish: host.publish,
      leaseMs: host.leaseMs,
      backend,
      registry,
      logger: this.logger,
      rateLimited: (envelope, eta) => this.emit('task-rate-limited', envelope, { eta }),
      encode: (envelope) => this.wire.encode(envelope),
      markWaiting: async (envelope) => void (await this.store(envelope, TaskState.RECEIVED)),
    });
  }

  get activeCount(): number {
    return this.inFlight.size;
  }

  /** Deliveries settled (or given back) since the executor was made. */
  get processedCount(): number {
    return this.finished;
  }

  /** The tasks held now, for inspect (`active`, `reserved`, `scheduled`). */
  held(): HeldTaskInfo[] {
    const held: HeldTaskInfo[] = [];
    for (const entry of this.inFlight.values()) {
      const envelope = entry.envelope;
      if (!envelope || entry.abandoned) continue;
      held.push({
        id: envelope.id,
        task: envelope.task,
        queue: envelope.queue,
        retries: envelope.retries,
        phase: entry.phase,
        receivedAt: entry.receivedAt,
        ...(entry.startedAt === undefined ? {} : { startedAt: entry.startedAt }),
        ...(entry.eta === undefined ? {} : { eta: entry.eta }),
      });
    }
    return held;
  }

  /** The per-worker rate limit of `task` from now on (undefined: the task's own again). */
  setRateLimit(task: string, limit: RateLimit | null | undefined): void {
    this.rateLimiter.override(task, limit);
  }

  /** The soft time limit of `task` from now on, in ms (null: none; undefined: the task's own again). */
  setTimeLimit(task: string, ms: number | null | undefined): void {
    if (ms === undefined) this.timeLimits.delete(task);
    else this.timeLimits.set(task, ms);
  }

  /** Run-time changes of limits, for stats. */
  overrides(): { rateLimits: Record<string, string | null>; timeLimits: Record<string, number | null> } {
    return { rateLimits: this.rateLimiter.overrides(), timeLimits: Object.fromEntries(this.timeLimits) };
  }

  /** The time limit that applies to `definition` now (a run-time change wins over `@Task`). */
  timeLimitOf(definition: TaskDefinition): number | undefined {
    const changed = this.timeLimits.get(definition.name);
    return changed === undefined ? definition.options.timeLimit : (changed ?? undefined);
  }

  /** Resolves true once nothing is in flight, or false when `timeoutMs` passes first. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (idle: boolean): void => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(idle);
      };
      const onIdle = (): void => finish(true);
      this.idleWaiters.add(onIdle);
    });
  }

  /**
   * Revoke of a held task: its signal aborts, and with `terminate` its thread or process is killed
   * where the pool can. Returns whether this worker held it.
   */
  async abort(taskId: string, reason: Error, terminate = true): Promise<boolean> {
    let held = false;
    for (const entry of this.inFlight.values()) {
      if (entry.taskId !== taskId) continue;
      held = true;
      entry.abort.abort(reason);
      if (terminate) await entry.pool.terminate(taskId);
    }
    return held;
  }

  /** Gives every unfinished delivery back to the broker (graceful shutdown, after the grace period). */
  async requeueInFlight(reason: Error): Promise<void> {
    const entries = [...this.inFlight.values()].filter((entry) => !entry.abandoned);
    for (const entry of entries) {
      entry.abandoned = true;
      entry.abort.abort(reason);
    }
    await Promise.allSettled(entries.map((entry) => entry.delivery.requeue()));
  }

  async handle(delivery: Delivery, pool: Pool): Promise<void> {
    const entry: InFlight = {
      delivery,
      abort: new TaskAbort(),
      pool,
      abandoned: false,
      phase: 'reserved',
      receivedAt: Date.now(),
    };
    this.inFlight.set(delivery, entry);
    try {
      await this.process(entry);
    } catch (error) {
      if (error instanceof StaleAttemptError) return await this.leaseLost(entry, error);
      // Storing an outcome failed (backend down): leave the delivery unsettled so it is redelivered.
      this.logger.error(`task delivery ${delivery.messageId} not settled: ${(error as Error).message}`);
      if (!entry.abandoned) await delivery.requeue({ delayMs: 1_000 }).catch(() => undefined);
    } finally {
      this.finished++;
      this.inFlight.delete(delivery);
      if (this.inFlight.size === 0) for (const onIdle of [...this.idleWaiters]) onIdle();
    }
  }

  private async process(entry: InFlight): Promise<void> {
    const { delivery } = entry;
    let envelope: TaskEnvelope;
    try {
      envelope = this.wire.decode(delivery);
    } catch (error) {
      // A readable task that is refused (a foreign workflow) fails visibly for its caller too.
      const refused = error instanceof InvalidEnvelopeError ? error.envelope : undefined;
      if (refused) await this.finish(refused, TaskState.FAILURE, { error: toErrorInfo(error) });
      return this.reject(delivery, refused, (error as Error).message);
    }
    entry.taskId = envelope.id;
    entry.envelope = envelope;
    // Retries and waits for a delivery-policy place are requeues too, so they count as deliveries;
    // only deliveries that ended without any outcome (the worker died or hung) make a message poison.
    const lost = delivery.deliveryCount - envelope.retries - (envelope.policy?.waits ?? 0);
    if (lost > this.options.maxDeliveries) {
      const reason = `delivered ${lost} times without an outcome (the worker running it died or hung)`;
      await this.finish(envelope, TaskState.FAILURE, {
        error: { name: 'PoisonMessageError', message: reason },
      });
      return this.reject(delivery, envelope, reason);
    }
    const definition = this.registry.find(envelope.task);
    if (!definition) {
      const error = new UnknownTaskError(envelope.task);
      await this.finish(envelope, TaskState.FAILURE, { error: toErrorInfo(error) });
      return this.reject(delivery, envelope, error.message);
    }
    // Every delivery of a known task is announced, redeliveries and retries included (Celery's
    // task-received), before anything can settle it.
    this.emit('task-received', envelope);
    if (await this.skipIfNotDue(delivery, envelope)) return;
    let args: JsonValue[];
    try {
      // JSON values, plus `undefined` for a parameter skipped between named ones (its default applies).
      args = bindArguments(definition, envelope.args, envelope.kwargs) as JsonValue[];
    } catch (error) {
      this.logger.error(`${attemptLabel(envelope, definition.retries)} refused: ${errorSummary(error)}`);
      await this.finish(envelope, TaskState.FAILURE, { error: toErrorInfo(error) });
      this.emit('task-failed', envelope, { error });
      return delivery.ack();
    }
    const admission = await this.policies.admit(delivery, envelope, definition, args);
    if (admission.kind === 'refused') {
      await this.finish(envelope, TaskState.FAILURE, { error: toErrorInfo(admission.error) });
      return this.reject(delivery, envelope, admission.error.message);
    }
    if (admission.kind === 'delayed') return;
    try {
      await this.run(entry, envelope, definition, args);
    } finally {
      await admission.release();
    }
  }

  /** Expired or early: settled without running, and without a backend round trip in the common case. */
  private async skipIfNotDue(delivery: Delivery, envelope: TaskEnvelope): Promise<boolean> {
    if (envelope.expires !== undefined && Date.now() > envelope.expires) {
      const existing = await this.backend.get(envelope.id);
      if (!this.settlesAsDuplicate(envelope, existing)) {
        const why = `expired at ${new Date(envelope.expires).toISOString()}`;
        await this.revoked(envelope, why);
      } else await this.continueWorkflow(envelope, existing!);
      await delivery.ack();
      return true;
    }
    const early = (envelope.eta ?? 0) - Date.now();
    if (early > 0) {
      await delivery.requeue({ delayMs: early });
      return true;
    }
    return false;
  }

  /** A redelivered copy of a task that already finished (at this retry or a later one). */
  private settlesAsDuplicate(envelope: TaskEnvelope, existing: TaskRecord | undefined): boolean {
    return existing !== undefined && isReadyState(existing.state) && existing.retries >= envelope.retries;
  }

  /**
   * Whether this delivery may be a copy of an attempt that already finished: it was delivered
   * before without being settled (the worker died between storing the outcome and the ack), or it
   * is a workflow step, which a worker that died mid-continuation may have published twice. A first
   * delivery of a plain task cannot be, so it needs no read.
   */
  private mayBeRepeat(delivery: Delivery, envelope: TaskEnvelope): boolean {
    return delivery.deliveryCount - envelope.retries > 1 || envelope.parentId !== undefined;
  }

  private tracksStarted(envelope: TaskEnvelope, definition: TaskDefinition): boolean {
    return !envelope.ignoreResult && (definition.options.trackStarted ?? this.options.trackStarted);
  }

  /** Whether the task was revoked before it started. One small step of its own, apart from the record. */
  private isRevoked(envelope: TaskEnvelope): Promise<boolean> {
    return this.backend.isRevoked(envelope.id);
  }

  private async revoked(envelope: TaskEnvelope, why: string): Promise<void> {
    await this.finish(envelope, TaskState.REVOKED, {
      error: { name: 'TaskRevokedError', message: `task ${why}` },
    });
    this.emit('task-revoked', envelope);
  }

  /**
   * The checks before running, in one round trip: whether the task already finished (a
   * redelivered copy) and whether it was revoked. Where STARTED is tracked, it is written in the
   * same step as the first check (the backend writes it unless the task already finished).
   * Returns false when the delivery was settled instead.
   */
  private async begin(entry: InFlight, envelope: TaskEnvelope, definition: TaskDefinition): Promise<boolean> {
    const { delivery } = entry;
    const [previous, revoked] = await Promise.all([
      this.claim(entry, envelope, definition),
      this.isRevoked(envelope),
    ]);
    if (this.settlesAsDuplicate(envelope, previous)) {
      // Its workflow steps may not have run (the worker died before acking): they run again,
      // each idempotent.
      await this.continueWorkflow(envelope, previous!);
      await delivery.ack();
      return false;
    }
    if (revoked) {
      await this.revoked(envelope, 'revoked');
      await delivery.ack();
      return false;
    }
    return true;
  }

  /**
   * Where STARTED is tracked, or the delivery may repeat an attempt that is still running elsewhere
   * (it came back after a lease ended), the attempt claims a fence of its own in the step that
   * reads the record, so the writes of any earlier run are refused from then on. A first delivery
   * of an untracked task claims none (fence 0: no round trip): any later claim still outranks it.
   * Returns the record that was there before.
   */
  private async claim(
    entry: InFlight,
    envelope: TaskEnvelope,
    definition: TaskDefinition,
  ): Promise<TaskRecord | undefined> {
    const ttlMs = this.options.resultTtl;
    const start = this.tracksStarted(envelope, definition);
    const reads = start || (this.mayBeRepeat(entry.delivery, envelope) && !envelope.ignoreResult);
    const { backend } = this;
    if (!backend.claimAttempt) {
      if (start) return backend.markStarted(buildTaskRecord(envelope, TaskState.STARTED), { ttlMs });
      return reads ? backend.get(envelope.id) : undefined;
    }
    if (envelope.ignoreResult) return undefined;
    if (!reads) {
      entry.fence = 0;
      return undefined;
    }
    const state = start ? TaskState.STARTED : TaskState.RECEIVED;
    const claim = await backend.claimAttempt(buildTaskRecord(envelope, state), { ttlMs, start });
    entry.fence = claim.fence;
    return claim.previous;
  }

  /**
   * The attempt's outcome was refused: another worker took its delivery over (the lease ended while
   * this one ran — an event loop blocked longer than the lease, a dropped connection) and claimed the
   * task. Reported, never a silent duplicate; the newer attempt's record stands.
   */
  private async leaseLost(entry: InFlight, error: StaleAttemptError): Promise<void> {
    const { envelope, delivery } = entry;
    const runtime = entry.startedAt === undefined ? undefined : Date.now() - entry.startedAt;
    const label = envelope
      ? attemptLabel(envelope, this.registry.find(envelope.task)?.retries ?? envelope.retries)
      : `message ${delivery.messageId}`;
    const ran = runtime === undefined ? '' : ` after ${formatDelay(runtime)}`;
    this.logger.warn(
      `${label} lost its lease${ran}: ${error.detail}; its outcome was discarded, the newer attempt's stands`,
    );
    this.emit('task-lease-lost', envelope, { error: error.detail, runtime });
    entry.abort.abort(error);
    // Settled already where the refusal came with the ack; otherwise the broker fences this ack too.
    await delivery.ack().catch(() => undefined);
  }

  /** `args`: the envelope's arguments with its keyword arguments bound onto the method's parameters. */
  private async run(
    entry: InFlight,
    envelope: TaskEnvelope,
    definition: TaskDefinition,
    args: JsonValue[],
  ): Promise<void> {
    const wait = this.rateLimiter.reserve(definition);
    if (wait > 0) {
      entry.phase = 'scheduled';
      entry.eta = Date.now() + wait;
      await this.store(envelope, TaskState.RECEIVED);
      this.emit('task-rate-limited', envelope, { eta: entry.eta });
      await delay(wait, entry.abort.signal);
      if (entry.abandoned) return;
    }
    if (!(await this.begin(entry, envelope, definition))) return;
    entry.phase = 'active';
    entry.startedAt = Date.now();
    entry.eta = undefined;
    const due = Math.max(envelope.createdAt, envelope.eta ?? 0);
    this.emit('task-started', envelope, { wait: Math.max(0, Date.now() - due) });
    // Traced as one `run <task>` span; what the outcome sends (retries, workflow steps) is its child.
    await traceRun(envelope, this.messagingSystem, () => this.attempt(entry, envelope, definition, args));
  }

  /** Runs the attempt on the pool and settles its outcome. */
  private async attempt(
    entry: InFlight,
    envelope: TaskEnvelope,
    definition: TaskDefinition,
    args: JsonValue[],
  ): Promise<AttemptOutcome> {
    const startedAt = Date.now();
    const invocation = createInvocation(
      envelope,
      args,
      definition,
      entry.abort,
      (value) => this.writeProgress(entry, envelope, value),
      this.timeLimitOf(definition),
    );
    const outcome = await runAttempt(invocation, entry.pool, entry.abort);
    if (entry.abandoned) return outcome;
    const runtime = Date.now() - startedAt;
    if (outcome.ok) {
      const paired = this.storeWithAck(entry, envelope, outcome.value);
      if (paired) {
        await paired;
        this.emit('task-succeeded', envelope, { runtime });
      } else {
        await this.finish(envelope, TaskState.SUCCESS, { result: outcome.value }, entry.fence);
        this.emit('task-succeeded', envelope, { runtime });
        await entry.delivery.ack();
      }
    } else await this.settleFailure(entry, envelope, definition, outcome.error, runtime);
    return outcome;
  }

  /**
   * A result stored and its delivery acknowledged in one script, where the broker and the backend
   * share one standalone Redis and nothing has to happen between the two (no workflow step to
   * publish, no deduplication key to settle). Undefined where that does not hold.
   */
  private storeWithAck(
    entry: InFlight,
    envelope: TaskEnvelope,
    result: JsonValue,
  ): Promise<void> | undefined {
    const { backend } = this;
    const { delivery, fence } = entry;
    if (envelope.ignoreResult || !delivery.ackWith || !backend.companionWrite || !this.host.sharesRedis?.()) {
      return undefined;
    }
    if (WorkflowContinuation.applies(envelope) || envelope.policy?.dedupKey !== undefined) return undefined;
    const record = buildTaskRecord(envelope, TaskState.SUCCESS, { result });
    const ttlMs = this.options.resultTtl;
    return delivery.ackWith(backend.companionWrite(record, { ttlMs, replyTo: envelope.replyTo, fence }));
  }

  private async settleFailure(
    entry: InFlight,
    envelope: TaskEnvelope,
    definition: TaskDefinition,
    error: unknown,
    runtime: number,
  ): Promise<void> {
    const { delivery, fence } = entry;
    const decision = decideFailure(definition, envelope, error);
    const info = toErrorInfo(decision.error);
    const label = attemptLabel(envelope, definition.retries);
    if (decision.kind === 'revoked') {
      this.logger.log(`${label} revoked`);
      await this.finish(envelope, TaskState.REVOKED, { error: info }, fence);
      this.emit('task-revoked', envelope);
      return delivery.ack();
    }
    if (decision.kind === 'retry') {
      const retrying = `retrying in ${formatDelay(decision.delayMs)}`;
      this.logger.warn(`${label} failed: ${errorSummary(decision.error)}; ${retrying}`);
      const retries = envelope.retries + 1;
      const next: TaskEnvelope = { ...envelope, retries, eta: Date.now() + decision.delayMs };
      await this.store(next, TaskState.RETRY, { error: info }, fence);
      this.emit('task-retried', envelope, { error: decision.error, runtime });
      return delivery.requeue({ delayMs: decision.delayMs, ...this.wire.encode(next) });
    }
    this.logger.error(`${label} failed: ${errorSummary(decision.error)}`, info.stack);
    await this.finish(envelope, TaskState.FAILURE, { error: info }, fence);
    this.emit('task-failed', envelope, { error: decision.error, runtime });
    await delivery.ack();
  }

  private async reject(
    delivery: Delivery,
    envelope: TaskEnvelope | undefined,
    reason: string,
  ): Promise<void> {
    this.logger.warn(`dead-lettering message ${delivery.messageId} from "${delivery.queue}": ${reason}`);
    this.emit('task-rejected', envelope, { queue: delivery.queue, error: reason });
    await delivery.deadLetter(reason);
  }

  /**
   * Progress is stored with the running state, whether or not STARTED itself is tracked. A stale
   * attempt's progress is refused like its outcome, and its signal aborts so that it can stop.
   */
  private async writeProgress(entry: InFlight, envelope: TaskEnvelope, value: JsonValue): Promise<void> {
    this.emit('task-progress', envelope, { progress: value });
    if (envelope.ignoreResult) return;
    const record = buildTaskRecord(envelope, TaskState.STARTED, { progress: value });
    try {
      await this.backend.write(record, { ttlMs: this.options.resultTtl, fence: entry.fence });
    } catch (error) {
      if (error instanceof StaleAttemptError) entry.abort.abort(error);
      throw error;
    }
  }

  /**
   * Stores a final outcome, then runs what the workflow does next; the caller acks after this. An
   * attempt's outcome carries its `fence`: refused (StaleAttemptError) when a later attempt claimed the task.
   */
  private async finish(
    envelope: TaskEnvelope,
    state: TaskState,
    extra: Partial<TaskRecord>,
    fence?: number,
  ): Promise<void> {
    const record = await this.store(envelope, state, extra, fence);
    await this.continueWorkflow(envelope, record);
    await this.policies.finished(envelope);
  }

  private async continueWorkflow(envelope: TaskEnvelope, record: TaskRecord): Promise<void> {
    if (!WorkflowContinuation.applies(envelope)) return;
    if (record.state === TaskState.SUCCESS) {
      await this.continuation.afterSuccess(envelope, record.result ?? null);
    } else {
      const error = record.error ?? { name: 'Error', message: `task ended ${record.state}` };
      await this.continuation.afterFailure(envelope, error, record.state === TaskState.FAILURE);
    }
  }

  /** Writes the task's record in `state`; a task sent with `ignoreResult` has nothing stored. */
  private async store(
    envelope: TaskEnvelope,
    state: TaskState,
    extra?: Partial<TaskRecord>,
    fence?: number,
  ): Promise<TaskRecord> {
    const record = buildTaskRecord(envelope, state, extra);
    if (!envelope.ignoreResult) {
      // The sender's process waits on its reply address for the final record only.
      const replyTo = isReadyState(state) ? envelope.replyTo : undefined;
      await this.backend.write(record, { ttlMs: this.options.resultTtl, replyTo, fence });
    }
    return record;
  }

  /**
   * Every task event leaves through here, as one object: the bus publisher stamps it (origin and
   * sequence) and batches it, and the in-process `TaskEvents` listeners get that same object. When
   * neither listens (events off, nothing subscribed), nothing is built.
   */
  private emit(type: TaskEventType, envelope: TaskEnvelope | undefined, details?: EventDetails): void {
    const sink = this.host.onEvent;
    const local = this.events.listenerCount('task') > 0;
    if (!sink && !local) return;
    const error = details?.error;
    const event: TaskEvent = {
      type,
      id: envelope?.id,
      task: envelope?.task,
      queue: details?.queue ?? envelope?.queue ?? '',
      at: Date.now(),
      worker: this.host.workerId,
      retries: envelope?.retries,
      runtime: details?.runtime,
      error: error === undefined ? undefined : typeof error === 'string' ? error : toErrorInfo(error).message,
    };
    if (details) {
      if (details.progress !== undefined) event.progress = details.progress;
      if (details.wait !== undefined) event.wait = details.wait;
      if (details.eta !== undefined) event.eta = details.eta;
    }
    if (type === 'task-received' && envelope) Object.assign(event, eventCall(envelope));
    sink?.(event);
    if (local) this.events.emitEvent(event);
  }
}

/** Waits `ms`, or less if `signal` aborts first. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
