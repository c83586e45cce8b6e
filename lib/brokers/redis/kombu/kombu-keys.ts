import { queueKeys } from '../redis-keys.js';

/** kombu's separator inside priority list names and binding members (`\x06\x16`). */
export const KOMBU_SEP = '\x06\x16';

/** kombu's default `priority_steps`: one list per step, read lowest step first. */
export const KOMBU_PRIORITY_STEPS = [0, 3, 6, 9] as const;

/** kombu's highest priority number; on Redis, 0 is read first. */
const KOMBU_MAX_PRIORITY = 9;

/** The Redis keys of one queue in kombu's Redis layout, and the shared ones of its namespace. */
export interface KombuKeys {
  /** One LIST per priority step, in reading order (`<queue>`, `<queue>\x06\x163`, …). */
  lists: string[];
  /** HASH delivery tag → `[payload, exchange, routing key]`, shared by every queue of the namespace. */
  unacked: string;
  /** ZSET delivery tag → when it was delivered (epoch seconds), shared likewise. */
  unackedIndex: string;
  /** SET of `<routing key>\x06\x16<pattern>\x06\x16<queue>` for the queue's own exchange. */
  binding: string;
  /** The member the queue's own binding adds (kombu's direct binding of queue to exchange). */
  bindingMember: string;
  /** Celeriac's dead-letter LIST of the queue (the same key as for a Celeriac-layout queue). */
  dead: string;
}

/**
 * The keys kombu uses for `queue` under its `global_keyprefix`, as Celery's Redis transport names
 * them: Celery and Celeriac must agree on every one, so none carries a hash tag (kombu's layout does
 * not run on Redis Cluster).
 */
export function kombuKeys(globalPrefix: string, celeriacPrefix: string, queue: string): KombuKeys {
  return {
    lists: KOMBU_PRIORITY_STEPS.map((step) => globalPrefix + kombuListName(queue, step)),
    unacked: `${globalPrefix}unacked`,
    unackedIndex: `${globalPrefix}unacked_index`,
    binding: kombuBindingKey(globalPrefix, queue),
    bindingMember: [queue, '', queue].join(KOMBU_SEP),
    dead: queueKeys(celeriacPrefix, queue).dead,
  };
}

export function kombuBindingKey(globalPrefix: string, exchange: string): string {
  return `${globalPrefix}_kombu.binding.${exchange}`;
}

/** The list of a priority step: the queue's own name for step 0, `<queue>\x06\x16<step>` otherwise. */
export function kombuListName(queue: string, step: number): string {
  return step === 0 ? queue : `${queue}${KOMBU_SEP}${step}`;
}

/** Index into {@link KOMBU_PRIORITY_STEPS} of the list a kombu priority number goes to. */
export function stepIndexOf(kombuPriority: number): number {
  const priority = Math.min(KOMBU_MAX_PRIORITY, Math.max(0, Math.floor(kombuPriority)));
  let index = 0;
  while (index + 1 < KOMBU_PRIORITY_STEPS.length && KOMBU_PRIORITY_STEPS[index + 1] <= priority) index++;
  return index;
}

/**
 * Celeriac's priorities run 0 (lowest) to 9 (highest, first); kombu's Redis numbers run the other
 * way (0 is read first). Each side's meaning is kept: Celeriac priority p is kombu's 9 − p.
 */
export function toKombuPriority(celeriacPriority: number): number {
  return KOMBU_MAX_PRIORITY - celeriacPriority;
}

export function fromKombuPriority(kombuPriority: number): number {
  return KOMBU_MAX_PRIORITY - Math.min(KOMBU_MAX_PRIORITY, Math.max(0, Math.floor(kombuPriority)));
}
