import { findLuaDir, ScriptSet } from '../../redis/redis-scripts.js';
import type { RedisClient } from '../../redis/redis-connection.js';
import type { JsonValue } from '../../protocol/json-value.js';
import type { GroupMemberOutcome, GroupProgress, WorkflowStore } from '../workflow-store.interface.js';

/** Runs a command on the backend's connection, turning connection failures into Celeriac errors. */
export type RedisCall = <T>(command: (client: RedisClient) => Promise<T>) => Promise<T>;

let scripts: ScriptSet | undefined;

function workflowScripts(): ScriptSet {
  scripts ??= new ScriptSet(findLuaDir(import.meta.url), ['group-member-3.lua']);
  return scripts;
}

/**
 * Workflow state in Redis. Steps are plain strings with a TTL. A group's keys share the hash tag
 * `{<prefix>:group:<id>}`, so its script stays in one Redis Cluster slot; recording a member is one
 * script call whatever the group's size.
 */
export class RedisWorkflowStore implements WorkflowStore {
  constructor(
    private readonly call: RedisCall,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  async saveSteps(steps: { id: string; step: JsonValue }[], ttlMs: number): Promise<void> {
    await this.call((client) =>
      Promise.all(
        steps.map(({ id, step }) => client.set(this.stepKey(id), JSON.stringify(step), 'PX', ttlMs)),
      ),
    );
  }

  async loadStep(id: string): Promise<JsonValue | undefined> {
    const raw = await this.call((client) => client.get(this.stepKey(id)));
    return raw === null ? undefined : (JSON.parse(raw) as JsonValue);
  }

  async recordGroupMember(
    groupId: string,
    total: number,
    member: GroupMemberOutcome,
    ttlMs: number,
  ): Promise<GroupProgress> {
    const keys = this.groupKeys(groupId);
    const [completed, fire] = (await this.call((client) =>
      workflowScripts().run(
        client,
        'group-member',
        [keys.members, keys.claim, keys.done],
        [member.index, JSON.stringify(member), total, member.taskId, member.ok ? '1' : '0', Math.ceil(ttlMs)],
      ),
    )) as [number, number];
    return { completed, total, fire: fire === 1 };
  }

  async markGroupDone(groupId: string): Promise<void> {
    await this.call((client) => client.set(this.groupKeys(groupId).done, '1', 'PX', this.ttlMs));
  }

  async groupMembers(groupId: string): Promise<GroupMemberOutcome[]> {
    const raw = await this.call((client) => client.hgetall(this.groupKeys(groupId).members));
    return Object.values(raw)
      .map((json) => JSON.parse(json) as GroupMemberOutcome)
      .sort((a, b) => a.index - b.index);
  }

  groupCompleted(groupId: string): Promise<number> {
    return this.call((client) => client.hlen(this.groupKeys(groupId).members));
  }

  async markContinued(taskId: string, ttlMs: number): Promise<void> {
    await this.call((client) => client.set(this.continuedKey(taskId), '1', 'PX', Math.ceil(ttlMs)));
  }

  async isContinued(taskId: string): Promise<boolean> {
    return (await this.call((client) => client.exists(this.continuedKey(taskId)))) === 1;
  }

  private stepKey(id: string): string {
    return `${this.prefix}:step:${id}`;
  }

  private continuedKey(taskId: string): string {
    return `${this.prefix}:continued:${taskId}`;
  }

  private groupKeys(groupId: string): { members: string; claim: string; done: string } {
    const tag = `{${this.prefix}:group:${groupId}}`;
    return { members: `${tag}:members`, claim: `${tag}:claim`, done: `${tag}:done` };
  }
}
