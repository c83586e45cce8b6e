/**
 * Why a running task should stop (time limit, revoke, shutdown), with its `AbortSignal` made only
 * when something asks for it: most tasks never look at their signal, and an `AbortController` per
 * task is garbage the worker need not make. Aborting before the signal exists is remembered, and a
 * signal made afterwards starts aborted.
 */
export class TaskAbort {
  private controller?: AbortController;
  private why?: { reason: unknown };

  get aborted(): boolean {
    return this.why !== undefined;
  }

  /** What aborted the task (undefined while it was not). */
  get reason(): unknown {
    return this.why?.reason;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.why) this.controller.abort(this.why.reason);
    }
    return this.controller.signal;
  }

  /** The first reason wins, as with `AbortController`. */
  abort(reason: unknown): void {
    if (this.why) return;
    this.why = { reason };
    this.controller?.abort(reason);
  }
}
