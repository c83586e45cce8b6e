import type { JsonValue } from '../protocol/json-value.js';
import type { TaskErrorInfo } from './task-record.js';

/** The final outcome of one group member, as the group keeps it. */
export interface GroupMemberOutcome {
  index: number;
  taskId: string;
  ok: boolean;
  result?: JsonValue;
  error?: TaskErrorInfo;
}

/** What recording a member tells its caller. */
export interface GroupProgress {
  /** Members with a final outcome so far; a member recorded twice (redelivery) counts once. */
  completed: number;
  total: number;
  /**
   * True for the one caller that must run what follows the group: the member that completed it, or
   * its first failed member. A redelivered copy of that same member gets true again until the
   * continuation is marked done, so a worker that died half-way is made good; any other caller
   * gets false. This is what makes a chord's callback run exactly once.
   */
  fire: boolean;
}

/**
 * Workflow state kept beside the results: continuation steps (stored once, referenced by id from
 * messages, so message size stays linear in the workflow), atomic group counters and markers.
 * Every operation is O(1) in the group size except `groupMembers`, which is read once per group.
 */
export interface WorkflowStore {
  saveSteps(steps: { id: string; step: JsonValue }[], ttlMs: number): Promise<void>;
  loadStep(id: string): Promise<JsonValue | undefined>;
  recordGroupMember(
    groupId: string,
    total: number,
    member: GroupMemberOutcome,
    ttlMs: number,
  ): Promise<GroupProgress>;
  /** The group's continuation has run; later redeliveries of its claimer must not run it again. */
  markGroupDone(groupId: string): Promise<void>;
  /** Recorded outcomes, ordered by member index. */
  groupMembers(groupId: string): Promise<GroupMemberOutcome[]>;
  groupCompleted(groupId: string): Promise<number>;
  /** A task's callbacks have been published (so a redelivered copy does not publish them again). */
  markContinued(taskId: string, ttlMs: number): Promise<void>;
  isContinued(taskId: string): Promise<boolean>;
}
