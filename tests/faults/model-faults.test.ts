/**
 * Issue 11 / reliability.md §4.3 T3: the model answers HTTP 500 or drops the connection (before
 * and halfway through its answer) for 10 s, then is healthy again. Chats handed to people while
 * it was down may go back to the bot (MODEL_HANDBACK_S, short here); either way nothing is lost
 * and nothing is answered twice.
 */
import type { Fault } from './support/fault-proxy.js';
import { defineScenario } from './support/scenario.js';

const HANDBACK_S = 5;
const failures: Fault[] = [
  { type: 'answer', status: 500, body: { error: { message: 'scripted failure', type: 'InternalServerError', code: 500 } } },
  { type: 'reset-mid-response' },
  { type: 'reset' },
];

defineScenario({
  name: 'model-errors',
  title: 'model answers 500 and resets connections for 10 s, then recovers',
  processes: [['all', 'all']],
  env: { MODEL_HANDBACK_S: String(HANDBACK_S) },
  plan: {
    load: { customers: 20, perSecond: 25, durationMs: 15_000 },
    async faults(rig, at) {
      await at(3000);
      let n = 0;
      rig.modelProxy.fault = () => failures[n++ % failures.length];
      await at(13_000);
      rig.modelProxy.heal();
    },
    // A handback happens HANDBACK_S after the model is back: wait past it for a late second answer.
    quietMs: (HANDBACK_S + 5) * 1000,
  },
});
