/**
 * Lets a test wait until a fake has recorded at least `count` items (deliveries, sends),
 * woken by the fake whenever it records one rather than by polling.
 */
export class RecordWaiters<T> {
  private readonly waiters = new Set<() => void>();

  constructor(private readonly records: T[], private readonly what: string) {}

  /** The fake calls this after recording. */
  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  waitFor(count: number, timeoutMs: number): Promise<T[]> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.records.length < count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(this.records.slice(0, count));
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.what}: ${this.records.length} of ${count} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}
