import type { ResultBackend } from '../backends/result-backend.interface.js';
import { buildTaskRecord } from '../backends/build-task-record.js';
import type { TaskErrorInfo } from '../backends/task-record.js';
import { TaskState } from '../backends/task-state.js';
import type { WorkflowStore } from '../backends/workflow-store.interface.js';
import type { EnvelopePublisher } from '../client/envelope.publisher.js';
import { CeleriacError } from '../errors/celeriac.error.js';
import type { JsonValue } from '../protocol/json-value.js';
import type { WireMessage } from '../protocol/wire-codec.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';
import { toErrorInfo } from '../errors/error-info.js';
import {
  asStep,
  GROUP_TASK,
  type StepEntry,
  type TaskFailureInfo,
  type WorkflowStep,
} from './workflow-step.js';

/** What triggers a step: the parent's result (or failure info) and where it came from. */
export interface StepTrigger {
  value: JsonValue;
  parentId: string;
  rootId: string;
}

/**
 * Publishes stored workflow steps when their parent finishes, and marks what can no longer run
 * when a parent fails. Used by the client (the first step) and by workers (every later one).
 */
export class StepRunner {
  constructor(
    private readonly publisher: EnvelopePublisher,
    private readonly backend: ResultBackend,
    private readonly ttlMs: number,
  ) {}

  get store(): WorkflowStore {
    const store = this.backend.workflows;
    if (!store)
      throw new CeleriacError('NO_WORKFLOWS', `the ${this.backend.kind} result backend cannot run workflows`);
    return store;
  }

  async runById(stepId: string, trigger: StepTrigger): Promise<void> {
    const step = asStep(await this.store.loadStep(stepId));
    if (step) await this.run(step, trigger);
  }

  /** Publishes the step's envelopes, the trigger's value first in each mutable one's arguments. */
  async run(step: WorkflowStep, trigger?: StepTrigger): Promise<void> {
    if (step.group?.size === 0) return this.completeEmptyGroup(step.group, trigger);
    // A group's members go out concurrently: the broker client pipelines them into few round trips.
    await Promise.all(step.entries.map((entry) => this.publishEntry(entry, trigger)));
  }

  private async publishEntry(entry: StepEntry, trigger?: StepTrigger): Promise<void> {
    const envelope: TaskEnvelope = trigger
      ? {
          ...entry.envelope,
          args: entry.immutable ? entry.envelope.args : [trigger.value, ...entry.envelope.args],
          parentId: trigger.parentId,
        }
      : entry.envelope;
    let message: WireMessage;
    try {
      message = this.publisher.encode(envelope);
    } catch (error) {
      // The parent's result made the message too large: that task fails, visibly, instead of vanishing.
      await this.failTask(envelope, toErrorInfo(error));
      return;
    }
    await this.publisher.publish(envelope, message);
  }

  /** Writes a group's own record (what `GroupHandle.wait()` and `GET /tasks/:groupId` read). */
  async writeGroupRecord(
    groupId: string,
    state: TaskState,
    total: number,
    extra: { result?: JsonValue; error?: TaskErrorInfo; rootId?: string },
  ): Promise<void> {
    const completed = state === TaskState.PENDING ? 0 : await this.store.groupCompleted(groupId);
    await this.backend.write(
      {
        id: groupId,
        state,
        task: GROUP_TASK,
        queue: '',
        retries: 0,
        updatedAt: Date.now(),
        progress: { completed, total },
        ...extra,
      },
      { ttlMs: this.ttlMs },
    );
  }

  /**
   * A parent failed: every task of the step (and, recursively, of what follows it) is marked
   * FAILURE with the reason, and their error callbacks run.
   */
  async abandon(stepId: string, error: TaskErrorInfo, seen = new Set<string>()): Promise<void> {
    if (seen.has(stepId)) return;
    seen.add(stepId);
    const step = asStep(await this.store.loadStep(stepId));
    if (!step) return;
    if (step.group) await this.writeGroupRecord(step.group.id, TaskState.FAILURE, step.group.size, { error });
    for (const entry of step.entries) await this.failTask(entry.envelope, error, seen);
    const after = step.group?.next ?? step.entries.find((entry) => entry.envelope.chord)?.envelope.chord;
    if (step.group && after) await this.abandon(after, error, seen);
  }

  /** Runs error callbacks with the failure prepended to their arguments. */
  async runErrbacks(envelope: TaskEnvelope, error: TaskErrorInfo): Promise<void> {
    const failure: TaskFailureInfo = {
      taskId: envelope.id,
      task: envelope.task,
      error: { name: error.name, message: error.message },
    };
    for (const id of envelope.errbacks ?? []) {
      await this.runById(id, {
        value: failure as unknown as JsonValue,
        parentId: envelope.id,
        rootId: envelope.rootId,
      });
    }
  }

  private async failTask(
    envelope: TaskEnvelope,
    error: TaskErrorInfo,
    seen = new Set<string>(),
  ): Promise<void> {
    await this.backend.write(buildTaskRecord(envelope, TaskState.FAILURE, { error }), {
      ttlMs: this.ttlMs,
    });
    await this.runErrbacks(envelope, error);
    for (const id of envelope.callbacks ?? []) await this.abandon(id, error, seen);
  }

  private async completeEmptyGroup(
    group: NonNullable<WorkflowStep['group']>,
    trigger?: StepTrigger,
  ): Promise<void> {
    await this.writeGroupRecord(group.id, TaskState.SUCCESS, 0, { result: [] });
    if (group.next)
      await this.runById(group.next, { value: [], parentId: group.id, rootId: trigger?.rootId ?? group.id });
  }
}
