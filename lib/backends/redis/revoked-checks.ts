/**
 * Whether keys exist, asked one key at a time and answered together: the keys asked while the
 * current turn's callbacks and promise reactions run go out as one read (a worker checks every task
 * of a fetch for a revoke before it runs it, so this is one command per fetch instead of one per task).
 */
export class RevokedChecks {
  private batch?: Map<string, Waiter[]>;

  /** `read` answers, for each key in order, its value or null. */
  constructor(private readonly read: (keys: string[]) => Promise<(string | null)[]>) {}

  has(key: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      if (!this.batch) {
        this.batch = new Map();
        // After every promise reaction already queued: the checks of one fetch all join.
        process.nextTick(() => this.flush());
      }
      const waiters = this.batch.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.batch.set(key, [{ resolve, reject }]);
    });
  }

  private flush(): void {
    const batch = this.batch!;
    this.batch = undefined;
    const keys = [...batch.keys()];
    this.read(keys).then(
      (values) => keys.forEach((key, at) => batch.get(key)!.forEach((w) => w.resolve(values[at] !== null))),
      (error: unknown) => batch.forEach((waiters) => waiters.forEach((w) => w.reject(error))),
    );
  }
}

interface Waiter {
  resolve(revoked: boolean): void;
  reject(error: unknown): void;
}
