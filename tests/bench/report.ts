/** Prints what the bench measured, with the targets of DESIGN.md §7 / reliability.md §5.3 alongside. */
import { cpus } from 'node:os';
import type { E2eRow, LevelRow, OpenRow } from './phases.js';
import { int, ms, table } from './stats.js';
import type { KnowledgeSearchBench } from './knowledge-search-bench.js';

export interface Counted {
  sent: number;
  ok: number;
  counted: number;
  stored: number;
  rssProc: number;
  rssMetric: number;
}

export interface Report {
  /** 1-minute load average before the run: other work on the box skews every figure. */
  load: number;
  koa: LevelRow[];
  svc: LevelRow[];
  open: OpenRow;
  openDrainS: number | null;
  e2e: E2eRow;
  counted1: Counted;
  counted2: Counted;
  modelCalls1: number;
  sends1: number;
  contacts: number;
  levelMs: number;
  search: KnowledgeSearchBench;
}

const failures = (m: Map<number, number>) =>
  [...m].map(([status, n]) => `${n}×${status < 0 ? 'error' : status}`).join(' ') || '0';
const drained = (s: number | null) => (s === null ? 'not within cap' : `${s.toFixed(1)} s`);
const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

export function printReport(r: Report): void {
  const out: string[] = [];
  out.push('', `kefu-bridge bench  (node ${process.version}, ${cpus().length} cores shared by generator, service, PostgreSQL, Redis;`,
    `   1-min load average ${r.load.toFixed(1)} before the run (should be near 0: anything else running on the box shows up in these numbers))`);

  out.push('', `1. WeCom callback acks, closed loop, ${r.levelMs / 1000} s per level, keep-alive, one MsgId per request.`,
    `   kefu = full path: signature, replay window, decrypt, parse, INSERT + COMMIT, enqueue; ${r.contacts} customers rotating;`,
    '   workers answer through zero-latency fakes meanwhile (TURN_COALESCE_MS=1500). Bare Koa = `new Koa()` answering 200 empty.');
  const rows = [['conn', 'Koa req/s', 'Koa p50', 'Koa p99', 'Koa max', 'kefu acks/s', 'kefu p50', 'kefu p99', 'kefu max', 'non-200', 'drain after']];
  r.svc.forEach((s, i) => {
    const k = r.koa[i];
    rows.push([String(s.concurrency), int(k.rate), ms(k.lat.p50), ms(k.lat.p99), ms(k.lat.max),
      int(s.rate), ms(s.lat.p50), ms(s.lat.p99), ms(s.lat.max), failures(s.result.failures) + (s.result.exhausted ? ' (pool ran out)' : ''), drained(s.drainS)]);
  });
  out.push(indent(table(rows)));

  const o = r.open;
  out.push('', `2. Open loop: ${int(o.rate)} callbacks/s for ${o.durationS} s on a fixed schedule; latency from the scheduled send time.`);
  out.push(indent(table([
    ['sent', '200', 'not 200', 'p50', 'p99', 'p99.9', 'max', 'generator lag p99/max', 'drain after'],
    [int(o.result.completed), int(o.result.ok), failures(o.result.failures), ms(o.lat.p50), ms(o.lat.p99), ms(o.lat.p999), ms(o.lat.max),
      `${ms(o.lag.p99)} / ${ms(o.lag.max)}`, drained(r.openDrainS)],
  ])));

  const e = r.e2e;
  out.push('', '3. End-to-end overhead, zero-latency fakes, 100 msg/s for 10 s, a new customer per message.',
    '   TURN_COALESCE_MS=0: the burst window (default 1.5 s) is a deliberate wait, not overhead, so it is off here.',
    '   (a) callback handed to the socket -> chat request at the fake model (ack, commit, enqueue, job pickup, turn load, prompt)',
    '   (b) fake model answer written -> message/send at the fake WeCom API (parse, commit reply + outbox, enqueue, claim, send)');
  out.push(indent(table([
    ['', 'n', 'p50', 'p99', 'max'],
    ['(a) callback -> model', int(e.toModel.count), ms(e.toModel.p50), ms(e.toModel.p99), ms(e.toModel.max)],
    ['(b) answer -> send', int(e.toSend.count), ms(e.toSend.p50), ms(e.toSend.p99), ms(e.toSend.max)],
    ['callback -> send (all)', int(e.total.count), ms(e.total.p50), ms(e.total.p99), ms(e.total.max)],
    ['ack (from schedule)', int(e.ack.count), ms(e.ack.p50), ms(e.ack.p99), ms(e.ack.max)],
  ])));
  out.push(`   sent ${e.sent}, acked 200 ${e.ok}, without a reply at the fake WeCom after 30 s: ${e.missing}`);

  out.push('', '4. Service accounting (from /metrics, kefu_callbacks_total{kind="wecom"}) and memory after the runs');
  out.push(indent(table([
    ['process', 'requests sent', 'counted', '200s seen', 'outcome=stored', 'match', 'VmRSS', 'process_resident_memory_bytes'],
    ...[['phases 1-2', r.counted1], ['phase 3', r.counted2]].map(([name, c]) => {
      const x = c as Counted;
      return [name as string, int(x.sent), int(x.counted), int(x.ok), int(x.stored), x.counted === x.sent && x.stored === x.ok ? 'yes' : 'NO',
        mib(x.rssProc), mib(x.rssMetric)];
    }),
  ])));
  out.push(`   phases 1-2: the workers made ${int(r.modelCalls1)} model calls and ${int(r.sends1)} message/send calls (bursts per customer coalesced).`);

  const k = r.search;
  out.push('', `5. Lexical knowledge search in process (issue 12): ${int(k.entries)} entries, ${int(k.searches)} different questions`);
  out.push(indent(table([
    ['first build', 'rebuild', 'search p50', 'search p99'],
    [ms(k.firstBuildMs), ms(k.buildMs), ms(k.p50Ms), ms(k.p99Ms)],
  ])));

  const best = r.svc.reduce((a, b) => (b.rate > a.rate ? b : a));
  out.push('', 'Targets (report only; DESIGN.md §7, reliability.md §5.3)');
  out.push(indent(table([
    ['metric', 'target', 'measured', ''],
    ['acks/s, closed loop, best level', '>= 3,000', `${int(best.rate)} (c=${best.concurrency})`, verdict(best.rate >= 3000)],
    ['ack p50 at 1,000/s open loop', '<= 3 ms', ms(o.lat.p50), verdict(o.lat.p50 <= 3)],
    ['ack p99 at 1,000/s open loop', '<= 20 ms', ms(o.lat.p99), verdict(o.lat.p99 <= 20)],
    ['ack p99.9 at 1,000/s open loop', '<= 100 ms', ms(o.lat.p999), verdict(o.lat.p999 <= 100)],
    ['overhead (a) callback -> model p50 / p99', '<= 15 / 100 ms', `${ms(e.toModel.p50)} / ${ms(e.toModel.p99)}`, verdict(e.toModel.p50 <= 15 && e.toModel.p99 <= 100)],
    ['overhead (b) answer -> send p50 / p99', '<= 15 / 100 ms', `${ms(e.toSend.p50)} / ${ms(e.toSend.p99)}`, verdict(e.toSend.p50 <= 15 && e.toSend.p99 <= 100)],
    ['knowledge search p99, 2,000 entries', '<= 2 ms', ms(k.p99Ms), verdict(k.p99Ms <= 2)],
  ])));
  console.log(out.join('\n') + '\n');
}

const indent = (s: string) => s.split('\n').map((l) => '   ' + l).join('\n');
