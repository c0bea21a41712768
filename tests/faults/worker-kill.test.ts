/**
 * Issue 11 / reliability.md §4.3 T6: web and worker in separate processes; the worker is killed
 * (kill -9) while the slow model has turns in flight, and a replacement worker starts. The turns
 * it held are redone after their lease, and each customer message is answered once.
 */
import { defineScenario } from './support/scenario.js';

defineScenario({
  name: 'worker-kill',
  title: 'kill -9 of the worker mid-turn (slow model), replacement worker started',
  processes: [['web', 'web'], ['worker-1', 'worker']],
  // The turn lease is MODEL_TIMEOUT_MS + 10 s: a dead worker's turns are redone after it.
  env: { MODEL_TIMEOUT_MS: '8000' },
  plan: {
    load: { customers: 20, perSecond: 25, durationMs: 15_000 },
    async faults(rig, at) {
      rig.model.delayMs = 2500;
      await at(6000);
      rig.notes.push(`model calls in flight when worker-1 was killed: ${rig.modelProxy.inFlight}`);
      await rig.kill9('worker-1');
      await at(8000);
      await rig.startService('worker-2', 'worker');
    },
  },
});
