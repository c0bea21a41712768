/**
 * One line per scenario on stdout, and a Markdown table row in `$FAULTS_REPORT` when it is set
 * (the README's table, issue 11). On failure, the evidence: which messages, why, and the logs.
 */
import { appendFileSync, existsSync } from 'node:fs';
import type { Verdict } from './checker.js';
import type { FaultRig } from './fault-rig.js';

export interface RunFacts {
  /** Callback attempts answered 5xx or not within WeCom's 5 s. */
  failedAttempts: number;
  /** Messages that got no 2xx after every retry: not counted as lost (WeCom knows it was not received). */
  neverAcked: number;
  seconds: number;
}

const HEADER = '| scenario | acked | lost | duplicated | handed off | 5xx / timed-out acks | never acked | seconds |\n'
  + '|---|---:|---:|---:|---:|---:|---:|---:|\n';

function summaryLine(name: string, v: Verdict, facts: RunFacts): string {
  return `fault ${name}: acked=${v.acked} lost=${v.lost.length} duplicated=${v.duplicated.length} `
    + `(handed-off=${v.handedOff}, 5xx-acks=${facts.failedAttempts})`;
}

export function report(name: string, v: Verdict, facts: RunFacts, rig: FaultRig): void {
  console.log(summaryLine(name, v, facts));
  const reasons = Object.entries(v.handoffReasons).map(([r, n]) => `${r}=${n}`).join(', ');
  console.log(`  answered=${v.answered}${reasons ? `, handoff reasons: ${reasons}` : ''}, never acked=${facts.neverAcked}, ${facts.seconds.toFixed(0)} s`);
  for (const note of rig.notes) console.log(`  note: ${note}`);
  const file = process.env.FAULTS_REPORT;
  if (file) {
    if (!existsSync(file)) appendFileSync(file, HEADER);
    appendFileSync(file, `| ${name} | ${v.acked} | ${v.lost.length} | ${v.duplicated.length} | ${v.handedOff} | ${facts.failedAttempts} | ${facts.neverAcked} | ${facts.seconds.toFixed(0)} |\n`);
  }
}

/** What a failed assertion shows: the first lost and duplicated messages, exits, and the logs. */
export function evidence(v: Verdict, rig: FaultRig): string {
  const lost = v.lost.slice(0, 10).map((l) => `  lost ${l.msgId} (${l.customer}): ${l.why}`);
  const dups = v.duplicated.slice(0, 10).map((d) => `  duplicated (${d.customer}): ${d.what}`);
  const causes = new Map<string, number>();
  for (const l of v.lost) causes.set(l.why, (causes.get(l.why) ?? 0) + 1);
  const byCause = [...causes].map(([why, n]) => `  ${n} lost: ${why}`);
  const exits = rig.unexpectedExits().map((e) => `  unexpected exit: ${e}`);
  return [...byCause, ...lost, ...dups, ...exits, `  outstanding work: ${v.outstanding}`, rig.logTail()].join('\n');
}
