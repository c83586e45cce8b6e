import type { TaskErrorInfo } from '../backends/task-record.js';
import { TaskState } from '../backends/task-state.js';
import type { StepRunner } from '../canvas/step.runner.js';
import type { JsonValue } from '../protocol/json-value.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';

/**
 * What happens after a workflow task's final outcome, before its message is acknowledged: its
 * callbacks (chain links, `link`) are published, or its group is told. Everything here is safe to
 * repeat, so a redelivered task re-runs it without running anything twice: callbacks are published
 * once per task, and a group member is counted once and fires the chord once.
 */
export class WorkflowContinuation {
  constructor(
    private readonly steps: StepRunner,
    private readonly ttlMs: number,
  ) {}

  /** Whether the envelope belongs to a workflow at all (the plain-task fast path skips everything). */
  static applies(envelope: TaskEnvelope): boolean {
    return (
      envelope.callbacks !== undefined || envelope.errbacks !== undefined || envelope.group !== undefined
    );
  }

  async afterSuccess(envelope: TaskEnvelope, result: JsonValue): Promise<void> {
    if (envelope.callbacks && !(await this.steps.store.isContinued(envelope.id))) {
      for (const stepId of envelope.callbacks) {
        await this.steps.runById(stepId, { value: result, parentId: envelope.id, rootId: envelope.rootId });
      }
      await this.steps.store.markContinued(envelope.id, this.ttlMs);
    }
    if (envelope.group !== undefined) await this.recordMember(envelope, { ok: true, result });
  }

  /** `runErrbacks` is false for revocations: a revoked task's error callbacks do not run. */
  async afterFailure(envelope: TaskEnvelope, error: TaskErrorInfo, runErrbacks: boolean): Promise<void> {
    if (!(await this.steps.store.isContinued(envelope.id))) {
      if (runErrbacks) await this.steps.runErrbacks(envelope, error);
      const reason: TaskErrorInfo = {
        name: 'ParentFailedError',
        message: `parent task ${envelope.id} (${envelope.task}) failed: ${error.message}`,
      };
      for (const stepId of envelope.callbacks ?? []) await this.steps.abandon(stepId, reason);
      await this.steps.store.markContinued(envelope.id, this.ttlMs);
    }
    if (envelope.group !== undefined) await this.recordMember(envelope, { ok: false, error });
  }

  private async recordMember(
    envelope: TaskEnvelope,
    outcome: { ok: boolean; result?: JsonValue; error?: TaskErrorInfo },
  ): Promise<void> {
    const groupId = envelope.group!;
    const total = envelope.groupSize ?? 0;
    const progress = await this.steps.store.recordGroupMember(
      groupId,
      total,
      { index: envelope.groupIndex ?? 0, taskId: envelope.id, ...outcome },
      this.ttlMs,
    );
    if (!progress.fire) return;
    if (outcome.ok) await this.completeGroup(envelope, groupId, total);
    else await this.failGroup(envelope, groupId, total, outcome.error!);
    await this.steps.store.markGroupDone(groupId);
  }

  private async completeGroup(envelope: TaskEnvelope, groupId: string, total: number): Promise<void> {
    const results = (await this.steps.store.groupMembers(groupId)).map((member) => member.result ?? null);
    await this.steps.writeGroupRecord(groupId, TaskState.SUCCESS, total, {
      result: results,
      rootId: envelope.rootId,
    });
    if (envelope.chord)
      await this.steps.runById(envelope.chord, {
        value: results,
        parentId: groupId,
        rootId: envelope.rootId,
      });
  }

  private async failGroup(
    envelope: TaskEnvelope,
    groupId: string,
    total: number,
    error: TaskErrorInfo,
  ): Promise<void> {
    const reason: TaskErrorInfo = {
      name: 'ChordError',
      message: `group member ${envelope.groupIndex ?? 0} (task ${envelope.id}, ${envelope.task}) failed: ${error.message}`,
    };
    await this.steps.writeGroupRecord(groupId, TaskState.FAILURE, total, {
      error: reason,
      rootId: envelope.rootId,
    });
    if (envelope.chord) await this.steps.abandon(envelope.chord, reason);
  }
}
