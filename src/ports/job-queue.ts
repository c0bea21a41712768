export type JobName = 'turn' | 'send' | 'pull';

export interface JobOptions {
  /** Jobs with an id already waiting are not added again. An optimisation, never the dedup guard. */
  jobId: string;
  delayMs?: number;
}

export type JobHandler = (data: Record<string, string>) => Promise<void>;

/**
 * Wakes workers. Correctness never depends on it: state lives in Postgres and the sweeper
 * re-drives anything a lost job leaves behind.
 */
export interface JobQueue {
  /** Adds a job. May reject (queue backend down); callers log and rely on the sweeper. */
  enqueue(name: JobName, data: Record<string, string>, opts: JobOptions): Promise<void>;
  /** Starts processing jobs of one name in this process. */
  process(name: JobName, handler: JobHandler, concurrency: number): void;
  /** Jobs waiting or delayed, for /metrics. */
  depth(): Promise<number>;
  /** Whether the backend answers, for /readyz. */
  ping(): Promise<boolean>;
  /** Stops taking jobs, waits for running ones, closes connections. */
  close(): Promise<void>;
}
