import type { ResultBackend } from '../backends/result-backend.interface.js';
import type { TaskRecord } from '../backends/task-record.js';
import { TaskState } from '../backends/task-state.js';

import { TaskHandle, type WaitOptions } from './task.handle.js';

/**
 * A sent group. `wait()` is woken once, by the write of the member that completes the group; it
 * does not re-read members while waiting.
 */
export class GroupHandle<TResult = unknown> {
  readonly members: TaskHandle<TResult>[];
  private readonly record: TaskHandle<TResult[]>;

  constructor(
    readonly id: string,
    memberIds: string[],
    private readonly backend: ResultBackend,
  ) {
    this.members = memberIds.map((memberId) => new TaskHandle<TResult>(memberId, backend));
    this.record = new TaskHandle<TResult[]>(id, backend);
  }

  /** The members' results in member order; rejects with a {@link TaskFailedError} naming the first failed member. */
  async wait(options: WaitOptions = {}): Promise<TResult[]> {
    return this.record.wait(options);
  }

  /** The group's own record: state, `progress: { completed, total }`, results or error. */
  info(): Promise<TaskRecord | undefined> {
    return this.record.info();
  }

  /** How many members have a final outcome (one backend read). */
  async completed(): Promise<number> {
    return (await this.backend.workflows?.groupCompleted(this.id)) ?? 0;
  }

  async state(): Promise<TaskState> {
    return (await this.record.info())?.state ?? TaskState.PENDING;
  }

  /** Revokes every member that has not finished. */
  async revoke(): Promise<void> {
    await Promise.all(this.members.map((member) => member.revoke()));
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }
}
