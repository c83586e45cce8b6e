/** Options of {@link createCeleriacTestingModule}. */
export interface CeleriacTestingOptions {
  /**
   * `send` (and `sendByName`, `apply`) resolve only once the task has finished, so the handle it
   * returns is settled — as Celery's `task_always_eager`. Tasks still run on the in-process worker
   * (enhancers, retries, time limits all apply). Default false.
   */
  eager?: boolean;
  /** Longest an eager send or `drain()` waits before failing with the tasks still unfinished (default 10 000 ms). */
  timeoutMs?: number;
  /** Run the in-process worker (default true); false to only record what is sent. */
  worker?: boolean;
}
