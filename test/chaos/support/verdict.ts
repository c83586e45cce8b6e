import type { Ledger } from './ledger.js';

/**
 * The chaos suite's pass condition: nothing confirmed is lost, nothing runs that was not sent, and
 * every duplicate was in flight at a fault. Prints the ledger's summary either way, so a green run
 * still says what it measured.
 */
export function expectClean(ledger: Ledger, scenario: string, slackMs: number): void {
  process.stderr.write(`[chaos] ${scenario}: ${ledger.summary(slackMs)}\n`);
  const verdict = ledger.check(slackMs);
  expect({
    lost: verdict.lost,
    unexpected: verdict.unexpected,
    unexplainedDuplicates: verdict.unexplained,
  }).toEqual({ lost: [], unexpected: [], unexplainedDuplicates: [] });
  expect(verdict.confirmed).toBeGreaterThan(0);
}
