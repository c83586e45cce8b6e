import { CeleriacError } from '../../errors/celeriac.error.js';

/** The Redis keys of one queue. */
export interface QueueKeys {
  /** ZSET of ready message ids, scored by priority then arrival. */
  ready: string;
  /** ZSET of delayed message ids, scored by due time. */
  delayed: string;
  /** ZSET of delivered message ids, scored by the end of their lease. */
  active: string;
  /** HASH of every message's fields. */
  msg: string;
  /** Counter for message ids and order numbers. */
  seq: string;
  /** ZSET holding the wake-up marker idle consumers block on. */
  wake: string;
  /** LIST of dead-letter records, oldest first. */
  dead: string;
}

/**
 * Keys of a queue. They all carry the hash tag `{prefix:queue}`, so on Redis Cluster they live in one
 * slot and every script of the queue runs on one node.
 */
export function queueKeys(prefix: string, queue: string): QueueKeys {
  checkName('prefix', prefix);
  checkName('queue name', queue);
  const tag = `{${prefix}:${queue}}`;
  return {
    ready: `${tag}:ready`,
    delayed: `${tag}:delayed`,
    active: `${tag}:active`,
    msg: `${tag}:msg`,
    seq: `${tag}:seq`,
    wake: `${tag}:wake`,
    dead: `${tag}:dead`,
  };
}

/** Braces would move the hash tag and split a queue's keys across cluster slots. */
function checkName(what: string, name: string): void {
  if (name.length === 0 || /[{}]/.test(name)) {
    throw new CeleriacError(
      'INVALID_OPTION',
      `Redis ${what} "${name}" must be non-empty and contain no "{" or "}"`,
    );
  }
}
