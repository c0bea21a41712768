import type { CoreDeps } from './deps.js';

/** Runs a turn's wait on the outside world through the gate, when the turn has one (ports/turn-gate.ts). */
export function waitOutside<T>(deps: Pick<CoreDeps, 'turnGate'>, wait: () => Promise<T>): Promise<T> {
  return deps.turnGate ? deps.turnGate.outside(wait) : wait();
}
