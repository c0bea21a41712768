/**
 * One fault scenario as a test: a rig of its own, load while the faults are injected, a drain,
 * then the verdict (0 lost, 0 duplicated, no process died). Bounded: the drain gives up after
 * `drainMs` and the test after `timeoutMs`, whatever the service does.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../../support/harness.js';
import { judge, type Verdict } from './checker.js';
import { FaultRig, type Role } from './fault-rig.js';
import type { LoadPlan } from './load-driver.js';
import { evidence, report } from './report.js';

export interface ScenarioPlan {
  load: LoadPlan;
  /** Injects the faults while the load runs (`at(ms)` waits until that long after the load began); resolves once all is healthy again. */
  faults(rig: FaultRig, at: (ms: number) => Promise<void>): Promise<void>;
  /** After the first drain: an idle phase, a second wave. */
  then?(rig: FaultRig): Promise<void>;
  /** How long after the load and the faults are over the service may take to settle (issue 11: ~60 s). */
  drainMs?: number;
  /** How long nothing may be delivered before counting: room for a late duplicate. */
  quietMs?: number;
}

export interface ScenarioSpec {
  name: string;
  title: string;
  /** Service processes by label, started in order (the first one serves the admin API). */
  processes: [label: string, role: Role][];
  env?: Record<string, string>;
  plan: ScenarioPlan;
  timeoutMs?: number;
}

export function defineScenario(spec: ScenarioSpec): void {
  describe(`fault ${spec.name}: ${spec.title}`, () => {
    let rig: FaultRig | undefined;
    let startedAt = 0;
    before(async () => {
      startedAt = Date.now();
      rig = await FaultRig.create(spec.name, spec.env);
      for (const [label, role] of spec.processes) await rig.startService(label, role);
      await rig.createChannel();
    }, { timeout: 120_000 });
    after(async () => {
      await rig?.dispose();
    });

    test('every acked message is answered once or handed to a person; no process dies', { timeout: spec.timeoutMs ?? 240_000 }, async () => {
      const r = rig!;
      const verdict = await runScenario(r, spec.plan);
      report(spec.name, verdict, { failedAttempts: r.driver.failedAttempts, neverAcked: r.driver.neverAcked, seconds: (Date.now() - startedAt) / 1000 }, r);
      const why = evidence(verdict, r);
      assert.equal(verdict.lost.length, 0, `lost messages:\n${why}`);
      assert.equal(verdict.duplicated.length, 0, `duplicated replies:\n${why}`);
      assert.deepEqual(r.unexpectedExits(), [], `processes died:\n${why}`);
      assert.ok(verdict.acked > 0, 'nothing was acked at all');
    });
  });
}

async function runScenario(rig: FaultRig, plan: ScenarioPlan): Promise<Verdict> {
  const began = Date.now();
  const at = async (ms: number): Promise<void> => {
    await sleep(Math.max(0, began + ms - Date.now()));
  };
  const seconds = () => ((Date.now() - began) / 1000).toFixed(0);
  await Promise.all([rig.driver.run(plan.load), plan.faults(rig, at)]);
  rig.notes.push(`load and faults over after ${seconds()} s`);
  if (plan.then) {
    await drain(rig, plan.drainMs ?? 60_000, plan.quietMs ?? 3000);
    rig.notes.push(`first drain over after ${seconds()} s`);
    await plan.then(rig);
  }
  const verdict = await drain(rig, plan.drainMs ?? 60_000, plan.quietMs ?? 3000);
  rig.noteLogCounts();
  rig.notes.push(`settled after ${seconds()} s${verdict.lost.length + verdict.outstanding > 0 ? ' (drain bound reached)' : ''}`);
  return verdict;
}

/**
 * Waits until every acked message is answered or handed off, the service has no work left and
 * nothing was delivered for `quietMs`; or until `drainMs` passed. Then counts.
 */
async function drain(rig: FaultRig, drainMs: number, quietMs: number): Promise<Verdict> {
  const deadline = Date.now() + drainMs;
  let deliveries = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    if (rig.wecom.sent.length !== deliveries) {
      deliveries = rig.wecom.sent.length;
      quietSince = Date.now();
    }
    const v = await judge(rig.pg, rig.channelId, rig.driver.messages, rig.wecom.sent).catch(() => null);
    if (v && v.lost.length === 0 && v.outstanding === 0 && Date.now() - quietSince >= quietMs) return v;
    await sleep(500);
  }
  return judge(rig.pg, rig.channelId, rig.driver.messages, rig.wecom.sent);
}
