/**
 * Lets a bot turn step out of its process's share of CPU and database work while it waits on the
 * outside world (the model, a platform's API), so that share goes to other turns and to callback
 * acks meanwhile. Implemented by jobs/turn-slots.ts; a turn without a gate just waits.
 */
export interface TurnGate {
  outside<T>(wait: () => Promise<T>): Promise<T>;
}
