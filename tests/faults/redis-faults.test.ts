/**
 * Issue 11 / reliability.md §4.3 T2: Redis killed and restarted empty, Redis hung (SIGSTOP),
 * Redis emptied by FLUSHALL, each in the middle of the load. Postgres is the record (DESIGN.md
 * §3.3): whatever Redis lost, every acked message is answered once.
 */
import { defineScenario } from './support/scenario.js';

const load = { customers: 20, perSecond: 25, durationMs: 15_000 };

defineScenario({
  name: 'redis-killed',
  title: 'Redis killed mid-load, restarted empty 6 s later',
  processes: [['all', 'all']],
  plan: {
    load,
    async faults(rig, at) {
      await at(4000);
      await rig.redis.kill9();
      await rig.noteReadiness('with Redis killed');
      await at(10_000);
      await rig.redis.start();
    },
  },
});

defineScenario({
  name: 'redis-hung',
  title: 'Redis frozen (SIGSTOP) for 10 s mid-load',
  processes: [['all', 'all']],
  plan: {
    load,
    async faults(rig, at) {
      await at(4000);
      rig.redis.pause();
      await rig.noteReadiness('with Redis frozen');
      await at(14_000);
      rig.redis.resume();
    },
  },
});

defineScenario({
  name: 'redis-flushed',
  title: 'Redis emptied (FLUSHALL) mid-load',
  processes: [['all', 'all']],
  plan: {
    load,
    async faults(rig, at) {
      await at(7000);
      await rig.redis.flushAll();
    },
  },
});
