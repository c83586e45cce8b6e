import type { JsonValue } from '../../protocol/json-value.js';
import type { GroupMemberOutcome, GroupProgress, WorkflowStore } from '../workflow-store.interface.js';

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

interface GroupState {
  members: Map<number, GroupMemberOutcome>;
  claimedBy?: string;
  done: boolean;
  expiresAt: number;
}

/** One namespace's workflow state; shared by every client of the prefix, like the other embedded stores. */
class WorkflowState {
  readonly steps = new Map<string, Expiring<string>>();
  readonly groups = new Map<string, GroupState>();
  readonly continued = new Map<string, number>();
  private writesSinceSweep = 0;

  /** Expired entries are dropped every few hundred writes, so the sweep costs O(1) amortised. */
  touch(): void {
    if (++this.writesSinceSweep < 512) return;
    this.writesSinceSweep = 0;
    const now = Date.now();
    for (const [id, entry] of this.steps) if (entry.expiresAt <= now) this.steps.delete(id);
    for (const [id, group] of this.groups) if (group.expiresAt <= now) this.groups.delete(id);
    for (const [id, expiresAt] of this.continued) if (expiresAt <= now) this.continued.delete(id);
  }
}

const states = new Map<string, WorkflowState>();

/** The embedded backend's {@link WorkflowStore}: plain maps, every operation synchronous and so atomic. */
export class MemoryWorkflowStore implements WorkflowStore {
  private readonly state: WorkflowState;

  constructor(namespace: string) {
    let state = states.get(namespace);
    if (!state) {
      state = new WorkflowState();
      states.set(namespace, state);
    }
    this.state = state;
  }

  saveSteps(steps: { id: string; step: JsonValue }[], ttlMs: number): Promise<void> {
    const expiresAt = Date.now() + ttlMs;
    for (const { id, step } of steps) this.state.steps.set(id, { value: JSON.stringify(step), expiresAt });
    this.state.touch();
    return Promise.resolve();
  }

  loadStep(id: string): Promise<JsonValue | undefined> {
    const entry = this.state.steps.get(id);
    if (!entry || entry.expiresAt <= Date.now()) return Promise.resolve(undefined);
    return Promise.resolve(JSON.parse(entry.value) as JsonValue);
  }

  recordGroupMember(
    groupId: string,
    total: number,
    member: GroupMemberOutcome,
    ttlMs: number,
  ): Promise<GroupProgress> {
    const group = this.group(groupId, ttlMs);
    if (!group.members.has(member.index)) group.members.set(member.index, structuredClone(member));
    const completed = group.members.size;
    let fire = false;
    if (!member.ok || completed >= total) {
      if (group.claimedBy === undefined) {
        group.claimedBy = member.taskId;
        fire = true;
      } else {
        fire = group.claimedBy === member.taskId && !group.done;
      }
    }
    this.state.touch();
    return Promise.resolve({ completed, total, fire });
  }

  markGroupDone(groupId: string): Promise<void> {
    const group = this.state.groups.get(groupId);
    if (group) group.done = true;
    return Promise.resolve();
  }

  groupMembers(groupId: string): Promise<GroupMemberOutcome[]> {
    const members = [...(this.state.groups.get(groupId)?.members.values() ?? [])];
    return Promise.resolve(members.sort((a, b) => a.index - b.index).map((m) => structuredClone(m)));
  }

  groupCompleted(groupId: string): Promise<number> {
    return Promise.resolve(this.state.groups.get(groupId)?.members.size ?? 0);
  }

  markContinued(taskId: string, ttlMs: number): Promise<void> {
    this.state.continued.set(taskId, Date.now() + ttlMs);
    this.state.touch();
    return Promise.resolve();
  }

  isContinued(taskId: string): Promise<boolean> {
    return Promise.resolve((this.state.continued.get(taskId) ?? 0) > Date.now());
  }

  private group(groupId: string, ttlMs: number): GroupState {
    let group = this.state.groups.get(groupId);
    if (!group) {
      group = { members: new Map(), done: false, expiresAt: Date.now() + ttlMs };
      this.state.groups.set(groupId, group);
    }
    return group;
  }
}
