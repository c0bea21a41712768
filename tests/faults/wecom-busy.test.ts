/**
 * Issue 11 item 9 / reliability.md §4.3 T4: WeCom answers "system busy" (errcode -1) and
 * "api freq out of limit" (45009) for 30 s (FAULTS_WECOM_OUTAGE_S), longer than the service's
 * send retry window (20 s here). A reply that cannot go out must not vanish: it reaches the customer once WeCom is back,
 * or the conversation is handed to a person (delivery_failed). Never twice.
 */
import type { Fault } from './support/fault-proxy.js';
import { defineScenario } from './support/scenario.js';

// The documented error JSON with HTTP 200 (protocols/wecom.md §5.4).
const busy: Fault[] = [
  { type: 'answer', status: 200, body: { errcode: -1, errmsg: 'system busy' } },
  { type: 'answer', status: 200, body: { errcode: 45009, errmsg: 'api freq out of limit' } },
];

// 30 s keeps the suite short. The outage of issue 11 item 9 lasted 150 s, longer than the old
// fixed budget of 8 attempts (63–127 s): FAULTS_WECOM_OUTAGE_S=150 replays it.
const OUTAGE_S = Number(process.env.FAULTS_WECOM_OUTAGE_S ?? 30);

defineScenario({
  name: 'wecom-busy',
  title: `WeCom busy for ${OUTAGE_S} s, longer than a 20 s send retry window`,
  processes: [['all', 'all']],
  env: { SEND_RETRY_WINDOW_S: '20' },
  plan: {
    load: { customers: 20, perSecond: 25, durationMs: 15_000 },
    async faults(rig, at) {
      await at(2000);
      let n = 0;
      rig.wecomProxy.fault = () => busy[n++ % busy.length];
      await at(2000 + OUTAGE_S * 1000);
      rig.wecomProxy.heal();
    },
  },
  timeoutMs: 240_000 + OUTAGE_S * 1000,
});
