import { randomUUID } from 'node:crypto';
import type { EnvelopeFactory } from '../client/envelope.factory.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';
import { type CanvasNode, type Group, isSignature } from './canvas.js';
import type { Signature } from './signature.js';
import type { StepEntry, WorkflowStep } from './workflow-step.js';

/** One link of a flattened chain: a task or a group, with the id its handle follows. */
type Link = { kind: 'task'; id: string; signature: Signature } | { kind: 'group'; id: string; group: Group };

/** A workflow ready to start: steps to store, records to create, and what to publish first. */
export interface PlannedWorkflow {
  start: WorkflowStep;
  steps: { id: string; step: WorkflowStep }[];
  /** Every task envelope of the workflow (for PENDING records). */
  envelopes: TaskEnvelope[];
  /** Every group (for its PENDING record). */
  groups: { id: string; size: number }[];
  /** The main path, first link to last; handles follow the last. */
  path: { kind: 'task' | 'group'; id: string; memberIds: string[] }[];
}

/**
 * Turns a canvas into stored steps. Each message carries only the ids of the steps that follow it,
 * and each step is stored once, so the bytes of a workflow grow linearly with its size (a long
 * chain does not carry its whole future in every message).
 */
export class WorkflowPlanner {
  constructor(private readonly factory: EnvelopeFactory) {}

  plan(node: CanvasNode): PlannedWorkflow {
    const links = flatten(node).map((link): Link =>
      isSignature(link)
        ? { kind: 'task', id: link.options.taskId ?? randomUUID(), signature: link }
        : { kind: 'group', id: randomUUID(), group: link },
    );
    const plan: PlannedWorkflow = { start: { entries: [] }, steps: [], envelopes: [], groups: [], path: [] };
    const rootId = links[0].id;
    let next: string | undefined;
    const built: WorkflowStep[] = [];
    for (let i = links.length - 1; i >= 0; i--) {
      const step = this.buildLink(links[i], next, rootId, i > 0, plan);
      built.unshift(step);
      if (i > 0) plan.steps.push({ id: links[i].id, step });
      next = links[i].id;
    }
    plan.start = built[0];
    plan.path = links.map((link, i) => ({
      kind: link.kind,
      id: link.id,
      memberIds: built[i].entries.map((entry) => entry.envelope.id),
    }));
    return plan;
  }

  private buildLink(
    link: Link,
    next: string | undefined,
    rootId: string,
    partial: boolean,
    plan: PlannedWorkflow,
  ): WorkflowStep {
    if (link.kind === 'task') {
      const entry = this.entry(
        link.signature,
        link.id,
        rootId,
        partial,
        plan,
        next ? { callbacks: [next] } : {},
      );
      return { entries: [entry] };
    }
    const size = link.group.members.length;
    plan.groups.push({ id: link.id, size });
    const entries = link.group.members.map((member, index) =>
      this.entry(member, member.options.taskId ?? randomUUID(), rootId, partial, plan, {
        group: link.id,
        groupIndex: index,
        groupSize: size,
        chord: next,
      }),
    );
    return { entries, group: { id: link.id, size, next } };
  }

  private entry(
    signature: Signature,
    id: string,
    rootId: string,
    partial: boolean,
    plan: PlannedWorkflow,
    extra: Partial<TaskEnvelope>,
  ): StepEntry {
    const mutable = partial && !signature.immutable;
    const { link, linkError, ...sendOptions } = signature.options;
    const envelope = this.factory.create(
      signature.task,
      signature.args,
      signature.taskOptions,
      { ...sendOptions, taskId: id, rootId },
      mutable,
    );
    const callbacks = [...(extra.callbacks ?? []), ...this.sideSteps(link, rootId, plan)];
    const errbacks = this.sideSteps(linkError, rootId, plan);
    const full: TaskEnvelope = {
      ...envelope,
      ...extra,
      callbacks: orNone(callbacks),
      errbacks: orNone(errbacks),
    };
    plan.envelopes.push(full);
    return { envelope: full, immutable: !mutable };
  }

  /** `link` / `linkError` signatures: each its own stored step, receiving what its trigger passes. */
  private sideSteps(
    signatures: Signature | Signature[] | undefined,
    rootId: string,
    plan: PlannedWorkflow,
  ): string[] {
    if (!signatures) return [];
    return (Array.isArray(signatures) ? signatures : [signatures]).map((signature) => {
      const id = signature.options.taskId ?? randomUUID();
      const step: WorkflowStep = {
        entries: [this.entry(signature, id, rootId, !signature.immutable, plan, {})],
      };
      plan.steps.push({ id, step });
      return id;
    });
  }
}

/** chain(a, chain(b, c), chord(g, d)) → [a, b, c, g, d]. */
function flatten(node: CanvasNode): (Signature | Group)[] {
  if (isSignature(node)) return [node];
  switch (node.kind) {
    case 'group':
      for (const member of node.members) {
        if (!isSignature(member))
          throw new TaskDefinitionError('group members must be signatures (sig(…), si(…), sigByName(…))');
      }
      return [node];
    case 'chord':
      return [...flatten(node.header), node.body];
    case 'chain':
      if (node.steps.length === 0) throw new TaskDefinitionError('a chain needs at least one step');
      return node.steps.flatMap(flatten);
  }
}

function orNone(ids: string[]): string[] | undefined {
  return ids.length > 0 ? ids : undefined;
}
