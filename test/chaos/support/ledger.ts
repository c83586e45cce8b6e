/**
 * A Jepsen-style ledger: every task id a producer tried to send, how each send ended, and every run
 * the workers reported. After a drain, {@link Ledger.check} says what was lost, what ran twice and
 * what ran without having been sent — and whether each duplicate is explained by a fault window.
 */

/** How one send ended, as the producer saw it. */
export type SendOutcome = 'confirmed' | 'refused';

/** One run of a task body, as its worker reported it. */
export interface RunReport {
  id: string;
  worker: string;
  /** Epoch ms the run began and ended (`done` undefined for a run that never finished). */
  started: number;
  done?: number;
}

/** A fault injected during the run: tasks in flight inside it may legitimately run twice. */
export interface FaultWindow {
  name: string;
  from: number;
  to: number;
}

export interface LedgerVerdict {
  sent: number;
  confirmed: number;
  /** Confirmed ids no worker finished. */
  lost: string[];
  /** Ids finished more than once. */
  duplicated: string[];
  /** Duplicates not in flight at any fault (their first run ended before every window, or began after). */
  unexplained: string[];
  /** Ids finished that no producer ever tried to send. */
  unexpected: string[];
  /** Refused (never confirmed) sends whose task ran anyway: the producer was told "no" on a send that landed. */
  refusedButRan: string[];
}

export class Ledger {
  private readonly sends = new Map<string, SendOutcome[]>();
  private readonly runs = new Map<string, RunReport[]>();
  private readonly open = new Map<string, RunReport>();
  /** When each id's send was first confirmed (for losses a documented window allows). */
  private readonly confirmedAt = new Map<string, number>();
  readonly faults: FaultWindow[] = [];

  /** The producer is about to send `id` (each retry of the same id too). */
  attempt(id: string): void {
    if (!this.sends.has(id)) this.sends.set(id, []);
  }

  /** How the producer's send of `id` ended. */
  settle(id: string, outcome: SendOutcome): void {
    this.attempt(id);
    this.sends.get(id)!.push(outcome);
    if (outcome === 'confirmed' && !this.confirmedAt.has(id)) this.confirmedAt.set(id, Date.now());
  }

  /** Lost ids whose send was confirmed outside [fault start − `beforeMs`, fault end]: losses no window explains. */
  lostOutsideWindow(beforeMs: number, slackMs = 0): string[] {
    return this.check(slackMs).lost.filter((id) => {
      const at = this.confirmedAt.get(id) ?? 0;
      return !this.faults.some((fault) => at >= fault.from - beforeMs && at <= fault.to);
    });
  }

  isConfirmed(id: string): boolean {
    return this.sends.get(id)?.includes('confirmed') ?? false;
  }

  /** Every id a producer tried to send. */
  attemptedIds(): string[] {
    return [...this.sends.keys()];
  }

  /** Ids whose send was confirmed. */
  confirmedIds(): string[] {
    return [...this.sends].filter(([, outcomes]) => outcomes.includes('confirmed')).map(([id]) => id);
  }

  /** A worker reports the start (`phase: 'start'`) or the end (`'done'`) of a run. */
  report(event: { id: string; worker: string; phase: 'start' | 'done'; at: number }): void {
    const key = `${event.worker}\n${event.id}`;
    if (event.phase === 'start') {
      const run: RunReport = { id: event.id, worker: event.worker, started: event.at };
      this.open.set(key, run);
      const runs = this.runs.get(event.id) ?? [];
      runs.push(run);
      this.runs.set(event.id, runs);
      return;
    }
    const run = this.open.get(key);
    if (run) {
      run.done = event.at;
      this.open.delete(key);
    } else {
      this.runs.set(event.id, [
        ...(this.runs.get(event.id) ?? []),
        { ...event, started: event.at, done: event.at },
      ]);
    }
  }

  /** Every run of `id` reported so far, finished or not, in the order they began. */
  runsOf(id: string): RunReport[] {
    return [...(this.runs.get(id) ?? [])].sort((a, b) => a.started - b.started);
  }

  /** Finished runs of `id`. */
  finished(id: string): RunReport[] {
    return (this.runs.get(id) ?? []).filter((run) => run.done !== undefined);
  }

  /** How many confirmed ids have finished at least once. */
  finishedConfirmedCount(): number {
    let count = 0;
    for (const id of this.confirmedIds()) if (this.finished(id).length > 0) count++;
    return count;
  }

  /** Runs `inject` and records the window it took as a fault. */
  async fault<T>(name: string, inject: () => Promise<T>): Promise<T> {
    const from = Date.now();
    try {
      return await inject();
    } finally {
      this.faults.push({ name, from, to: Date.now() });
    }
  }

  /** Marks a fault window by hand (a fault that ends on its own, e.g. a resumed process). */
  markFault(name: string, from: number, to: number): void {
    this.faults.push({ name, from, to });
  }

  /**
   * The verdict. A duplicate is explained when its first run was in flight during a fault window,
   * widened by `slackMs` on both sides (a lease that ends after a freeze, an ack in flight at a kill).
   */
  check(slackMs = 0): LedgerVerdict {
    const confirmed = new Set(this.confirmedIds());
    const lost = [...confirmed].filter((id) => this.finished(id).length === 0);
    const duplicated = [...this.runs.keys()].filter((id) => this.finished(id).length > 1);
    const unexplained = duplicated.filter((id) => !this.inFlightAtFault(id, slackMs));
    const unexpected = [...this.runs.keys()].filter(
      (id) => !this.sends.has(id) && this.finished(id).length > 0,
    );
    const refusedButRan = [...this.sends.keys()].filter(
      (id) => !confirmed.has(id) && this.finished(id).length > 0,
    );
    return {
      sent: this.sends.size,
      confirmed: confirmed.size,
      lost,
      duplicated,
      unexplained,
      unexpected,
      refusedButRan,
    };
  }

  /** One line for a test's output: what the verdict counted. */
  summary(slackMs = 0): string {
    const v = this.check(slackMs);
    return (
      `sent ${v.sent}, confirmed ${v.confirmed}, lost ${v.lost.length}, duplicated ${v.duplicated.length} ` +
      `(unexplained ${v.unexplained.length}), unexpected ${v.unexpected.length}, ` +
      `refused but ran ${v.refusedButRan.length}; faults: ${this.faults.map((f) => `${f.name} ${f.to - f.from} ms`).join(', ')}`
    );
  }

  /**
   * What became of each lost id, for the failure message: how often its body started and when,
   * relative to the first fault (a lost task that never started was lost on its way to a worker;
   * one that started was lost between an attempt and its retry).
   */
  describeLost(slackMs = 0): string[] {
    const origin = this.faults[0]?.from ?? 0;
    return this.check(slackMs).lost.map((id) => {
      const starts = (this.runs.get(id) ?? []).map((run) => `${run.started - origin} ms`);
      return starts.length === 0
        ? `${id}: never started`
        : `${id}: started ${starts.length}× at ${starts.join(', ')} from the fault, never finished`;
    });
  }

  private inFlightAtFault(id: string, slackMs: number): boolean {
    const runs = this.runs.get(id) ?? [];
    const first = runs.reduce((a, b) => (a.started <= b.started ? a : b));
    const end = first.done ?? Number.POSITIVE_INFINITY;
    return this.faults.some((fault) => first.started <= fault.to + slackMs && end >= fault.from - slackMs);
  }
}
