import {
  DELAY_LEVELS,
  MAX_LADDER_DELAY_MS,
  delayRoute,
  levelPattern,
  levelTtlMs,
} from '../../../../lib/brokers/amqp/delay-ladder.js';

/** AMQP topic matching for the patterns the ladder uses (`*` = exactly one word). */
function matches(pattern: string, key: string): boolean {
  const [p, k] = [pattern.split('.'), key.split('.')];
  return p.length === k.length && p.every((word, i) => word === '*' || word === k[i]);
}

/**
 * Follows a message through the ladder the way RabbitMQ would: each level's exchange routes by
 * its bindings, each level's queue adds its TTL and dead-letters to the level below, level 0 leads
 * to the work queue. Returns the time spent and the queues visited.
 */
function walk(delayMs: number, levels = DELAY_LEVELS): { waitedMs: number; visited: number[] } {
  const route = delayRoute(delayMs, levels);
  if (!route) return { waitedMs: 0, visited: [] };
  const visited: number[] = [];
  let waitedMs = 0;
  for (let level = route.entryLevel; level >= 0; level--) {
    const intoQueue = matches(levelPattern(level, 1, levels), route.routingKey);
    const passOn = matches(levelPattern(level, 0, levels), route.routingKey);
    expect(intoQueue !== passOn).toBe(true); // exactly one binding of each exchange takes the message
    if (intoQueue) {
      visited.push(level);
      waitedMs += levelTtlMs(level);
    }
  }
  return { waitedMs, visited };
}

describe('delay ladder', () => {
  it('composes a delay from the levels of its set bits', () => {
    expect(walk(400)).toEqual({ waitedMs: 400, visited: [8, 7, 4] });
    expect(walk(1)).toEqual({ waitedMs: 1, visited: [0] });
    expect(walk(1_024)).toEqual({ waitedMs: 1_024, visited: [10] });
  });

  it('holds a ten-minute countdown exactly, in at most one visit per level', () => {
    const tenMinutes = 600_000;
    const { waitedMs, visited } = walk(tenMinutes);
    expect(waitedMs).toBe(tenMinutes);
    expect(new Set(visited).size).toBe(visited.length);
    expect(Math.max(...visited)).toBe(19); // 2^19 ms ≈ 8.7 min is the largest level it needs
  });

  it('reaches every delay up to the ladder maximum exactly', () => {
    const samples = [2, 3, 255, 256, 999, 60_000, 86_400_000, MAX_LADDER_DELAY_MS - 1, MAX_LADDER_DELAY_MS];
    for (let i = 0; i < 500; i++) samples.push(1 + Math.floor(Math.random() * MAX_LADDER_DELAY_MS));
    for (const delay of samples) {
      expect(walk(delay).waitedMs).toBe(delay);
      expect(delayRoute(delay)?.remainingMs).toBe(0);
    }
  });

  it('rounds fractions of a millisecond up, never early', () => {
    expect(walk(399.2).waitedMs).toBe(400);
    expect(walk(0.1).waitedMs).toBe(1);
  });

  it('has nothing to do for zero, negative or missing delays', () => {
    for (const delay of [0, -5, Number.NaN]) expect(delayRoute(delay)).toBeUndefined();
  });

  it('carries what one pass cannot hold as the remaining delay', () => {
    const threeWeeks = 21 * 24 * 3_600_000;
    const route = delayRoute(threeWeeks)!;
    expect(walk(threeWeeks).waitedMs).toBe(MAX_LADDER_DELAY_MS);
    expect(route.remainingMs).toBe(threeWeeks - MAX_LADDER_DELAY_MS);
    expect(route.entryLevel).toBe(DELAY_LEVELS - 1);
  });

  it('spells the delay in one word per level, highest level first', () => {
    const route = delayRoute(5, 4)!;
    expect(route).toEqual({ entryLevel: 2, routingKey: '0.1.0.1', remainingMs: 0 });
    expect(levelPattern(2, 1, 4)).toBe('*.1.*.*');
    expect(levelPattern(0, 0, 4)).toBe('*.*.*.0');
  });

  it('ignores routing keys of another ladder length', () => {
    const longer = delayRoute(5, DELAY_LEVELS + 1)!.routingKey;
    for (let level = 0; level < DELAY_LEVELS; level++) {
      expect(matches(levelPattern(level, 1), longer)).toBe(false);
      expect(matches(levelPattern(level, 0), longer)).toBe(false);
    }
  });
});
