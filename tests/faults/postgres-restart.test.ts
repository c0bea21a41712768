/**
 * Issue 11 / reliability.md §4.3 T1: PostgreSQL restarted (immediate: no checkpoint, crash
 * recovery) in the middle of the load, then once more while the service is idle, because an idle
 * pool's client error used to crash the process (pg 8.23.1, measured in reliability.md §4.3).
 */
import { sleep } from '../support/harness.js';
import { defineScenario } from './support/scenario.js';

defineScenario({
  name: 'postgres-restart',
  title: 'PostgreSQL restarted mid-load, then again while idle',
  processes: [['all', 'all']],
  plan: {
    load: { customers: 20, perSecond: 25, durationMs: 15_000 },
    async faults(rig, at) {
      await at(5000);
      await rig.pg.stopImmediate();
      await rig.noteReadiness('with PostgreSQL down');
      await rig.pg.start();
    },
    async then(rig) {
      await sleep(2000); // idle: the pools hold idle clients when Postgres goes away
      await rig.pg.restartImmediate();
      await sleep(2000);
      await rig.driver.wave(20);
    },
  },
});
