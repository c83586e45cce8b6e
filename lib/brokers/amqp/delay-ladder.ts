/**
 * Delays are held in a ladder of TTL queues, one per power of two: level k keeps a message for
 * exactly 2^k ms and then dead-letters it one level down. Every queue of a level has one TTL, so
 * its head always expires first and no message waits behind a longer one (the head-of-line
 * blocking of per-message TTLs). A delay is the sum of the levels of its set bits: the routing
 * key spells the delay in binary, one word per level, and each level's topic exchange sends the
 * message into its queue when its bit is 1, or straight on to the next level down when it is 0.
 */

/** Levels 0…27: one pass composes any delay up to 2^28 − 1 ms (about 74.6 hours). */
export const DELAY_LEVELS = 28;

/** The longest delay one pass through the ladder can hold. */
export const MAX_LADDER_DELAY_MS = 2 ** DELAY_LEVELS - 1;

/** Where a delayed message enters the ladder. */
export interface DelayRoute {
  /** The level whose exchange takes the message: its highest set bit. */
  entryLevel: number;
  /** The delay in binary, one word per level, highest level first (`0.0.…1.1.0`). */
  routingKey: string;
  /** The part of the delay beyond one pass, applied again when the message comes out. */
  remainingMs: number;
}

/**
 * How to route a message delayed by `delayMs` (rounded up to whole ms, never early), or
 * `undefined` when there is nothing to wait for.
 */
export function delayRoute(delayMs: number, levels = DELAY_LEVELS): DelayRoute | undefined {
  const total = Math.ceil(delayMs);
  if (!(total > 0)) return undefined;
  const ladderMs = Math.min(total, 2 ** levels - 1);
  const words: string[] = [];
  let entryLevel = -1;
  for (let level = levels - 1; level >= 0; level--) {
    const set = Math.floor(ladderMs / 2 ** level) % 2 === 1;
    if (set && entryLevel < 0) entryLevel = level;
    words.push(set ? '1' : '0');
  }
  return { entryLevel, routingKey: words.join('.'), remainingMs: total - ladderMs };
}

/** How long a message waits in the queue of `level`. */
export function levelTtlMs(level: number): number {
  return 2 ** level;
}

/**
 * The topic pattern a level's exchange uses to pick messages whose bit at `level` is `bit`:
 * `1` routes into that level's queue, `0` on to the next level down (or, at level 0, to the
 * work queue). Patterns have one word per level, so keys of another length never match.
 */
export function levelPattern(level: number, bit: 0 | 1, levels = DELAY_LEVELS): string {
  const words = new Array<string>(levels).fill('*');
  words[levels - 1 - level] = String(bit);
  return words.join('.');
}
