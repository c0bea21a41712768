/**
 * Contract of `npm run eval -- --model-base-url … --model …` (issue 13 item 3) against the fake
 * OpenAI-compatible server: two adapters that answer a tiny fixture set differently, exact figures,
 * --compare, the JSON report, and exit codes. The fake scripts each adapter's reply per question;
 * everything between the question and the request (rules, search, prompt, confidence, threshold)
 * is the service's own turn path.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, test } from 'node:test';
import { FakeModelServer, type ChatRequestBody, type FakeReply } from '../fakes/fake-model-server.js';
import { modelReportSchema as serviceReportSchema } from '../../src/http/model-report-schema.js';
import { modelReportSchema, type ModelReport } from '../eval/model-report.js';
import { reportPath, runModelEval } from '../eval/model-eval.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../eval/fixtures/', import.meta.url));
const KB = join(FIXTURES, 'tiny-kb.jsonl');
const EVAL_SET = join(FIXTURES, 'tiny-eval.jsonl');
const HELDOUT = join(FIXTURES, 'tiny-heldout.jsonl');

const BASE = 'qwen2.5-7b-instruct';
const GOOD = 'support-good';
const BAD = 'support-bad';

// The fixture knowledge base's answers (tiny-kb.jsonl lines 1–4).
const FREE_SHIPPING = '亲，订单满299元包邮哦，未满299元需支付15元运费~';
const SHIPS_FROM = '我们的商品从深圳保税仓发出，确保正品保障！';
const RETURNS = '支持7天无理由退换货，请保持商品完好、吊牌未拆，联系客服获取退货地址哦~';
const SHIPS_WHEN = '一般情况下我们在收到订单后的24小时内安排发货，周末和节假日顺延哦~';

// The questions (tiny-eval.jsonl / tiny-heldout.jsonl); the last one a complaint rule hands off before any model.
const Q_SHIPPING = '包邮吗？';
const Q_FROM = '你们从哪里发货的';
const Q_RETURN = '衣服不合适可以退货吗';
const Q_WHEN = '下单后多久发货';
const Q_ORDER = '我的快递到哪了，帮我查一下';

/** With every token at logprob ℓ, the responder's confidence is exp(ℓ) (src/domain/confidence.ts). */
const SURE = -0.01;
const UNSURE = -1;
const FAIRLY_SURE = -0.1;
const LOST = -4;

/** The good adapter: each knowledge answer, sure of it; unsure of the order question, so it goes to a person. */
const GOOD_REPLIES: Record<string, FakeReply> = {
  [Q_SHIPPING]: { content: FREE_SHIPPING, logprobs: SURE },
  [Q_FROM]: { content: SHIPS_FROM, logprobs: SURE },
  [Q_RETURN]: { content: `亲，${RETURNS}`, logprobs: SURE }, // touched up: the matcher still counts it
  [Q_WHEN]: { content: SHIPS_WHEN, logprobs: SURE },
  [Q_ORDER]: { content: '亲，这个需要查询您的订单，马上为您转接人工客服~', logprobs: LOST },
};

/** The bad adapter: confidently wrong twice, right but unsure once, right once, and it invents an order status. */
const BAD_REPLIES: Record<string, FakeReply> = {
  [Q_SHIPPING]: { content: SHIPS_FROM, logprobs: SURE },
  [Q_FROM]: { content: SHIPS_FROM, logprobs: UNSURE },
  [Q_RETURN]: { content: RETURNS, logprobs: SURE },
  [Q_WHEN]: { content: RETURNS, logprobs: FAIRLY_SURE },
  [Q_ORDER]: { content: '亲，您的快递明天就到哦~', logprobs: SURE },
};

const lastUser = (body: ChatRequestBody) => body.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';

function script(body: ChatRequestBody): FakeReply {
  const replies = body.model === GOOD ? GOOD_REPLIES : body.model === BAD ? BAD_REPLIES : {};
  return replies[lastUser(body)] ?? { content: '不知道', logprobs: LOST };
}

/** The confidence of a reply whose tokens all have logprob ℓ. */
const conf = (lp: number) => Math.exp(lp);

interface Run {
  code: number;
  out: string;
  err: string;
}

async function inProcess(argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runModelEval(argv, { out: (s) => out.push(s), err: (s) => err.push(s), env: {} });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** `npm run eval` as a user runs it: a child process (async, so this process's fake server keeps answering). */
function child(argv: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'tests/eval/run-eval.ts', ...argv], { cwd: ROOT, env: { ...process.env, MODEL_API_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    p.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A written report: the contract's shape (tests/eval/model-report.ts) and what the service's upload accepts. */
function readReport(path: string): ModelReport {
  const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const accepted = serviceReportSchema.safeParse(json);
  assert.ok(accepted.success, `the service would refuse ${path}: ${accepted.success ? '' : accepted.error.message}`);
  return modelReportSchema.parse(json);
}

describe('npm run eval -- --model-base-url … (adapter evaluation) against the fake model server', () => {
  const fake = new FakeModelServer();
  let dir: string;
  const common = () => ['--model-base-url', fake.url, '--knowledge', KB, '--data', EVAL_SET];

  before(async () => {
    await fake.start();
    fake.models = [BASE, GOOD, BAD];
    fake.reply = script;
    dir = mkdtempSync(join(tmpdir(), 'model-eval-'));
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    fake.failWhen = null;
  });

  test('the good adapter: every answer right, the unsure order question and the complaint handed off', async () => {
    const sent = fake.requests.length;
    const file = join(dir, 'good.json');
    const run = await inProcess([...common(), '--model', GOOD, '--report', file]);
    assert.equal(run.code, 0, run.err);
    const r = readReport(file);
    assert.equal(r.model, GOOD);
    assert.equal(r.baseModel, BASE);
    assert.equal(r.data, 'tiny-eval.jsonl');
    assert.equal(r.threshold, 0.6);
    assert.deepEqual(r.counts, { total: 6, answerable: 4, outOfScope: 2 });
    assert.deepEqual(r.rates, { answeredCorrectly: 1, wrong: 0, handedOff: 2 / 6, outOfScopeHandedOff: 1 });
    assert.equal(r.auroc, 1);
    // Bin 0: the order question (wrong, conf e^-4); bin 9: four right answers at e^-0.01.
    assert.ok(Math.abs((r.ece as number) - (conf(LOST) + 4 * (1 - conf(SURE))) / 5) < 1e-9, String(r.ece));
    // At 0.05 the only wrong reply (e^-4 ≈ 0.018) is no longer sent.
    assert.equal(r.thresholdForWrongUnder1pct, 0.05);
    assert.deepEqual(r.disagreements, []);

    // The complaint never reached the model (rule); the others went through the service's prompt with the retrieved answer.
    const mine = fake.requests.slice(sent);
    assert.equal(mine.length, 5);
    assert.ok(mine.every((b) => b.model === GOOD && b.logprobs === true));
    const shipping = mine.find((b) => lastUser(b) === Q_SHIPPING) as ChatRequestBody;
    assert.match(shipping.messages[0].content, /店铺知识/);
    assert.ok(shipping.messages[0].content.includes(FREE_SHIPPING), 'retrieved entry in the system prompt');
    assert.match(run.out, /answered correctly\s+100\.0 % \(4\/4\)/);
    assert.match(run.out, /support-good: no wrong answers/);
  });

  test('the bad adapter: confidently wrong answers are counted, listed most confident first, and lower AUROC', async () => {
    const file = join(dir, 'bad.json');
    const run = await inProcess([...common(), '--model', BAD, '--report', file]);
    assert.equal(run.code, 0, run.err);
    const r = readReport(file);
    assert.deepEqual(r.counts, { total: 6, answerable: 4, outOfScope: 2 });
    // Right and sent: only the returns question; the right-but-unsure one (e^-1 < 0.6) was handed off.
    assert.deepEqual(r.rates, { answeredCorrectly: 1 / 4, wrong: 3 / 6, handedOff: 2 / 6, outOfScopeHandedOff: 1 / 2 });
    // Right: e^-1, e^-0.01; wrong: e^-0.01 (twice), e^-0.1 → (0 + 0.5 + 1 + 0.5 + 0 + 0) / 6.
    assert.ok(Math.abs((r.auroc as number) - 2 / 6) < 1e-12, String(r.auroc));
    const bin9 = [conf(SURE), conf(SURE), conf(SURE), conf(FAIRLY_SURE)];
    const expectedEce = (1 / 5) * Math.abs(1 - conf(UNSURE)) + (4 / 5) * Math.abs(1 / 4 - bin9.reduce((a, b) => a + b, 0) / 4);
    assert.ok(Math.abs((r.ece as number) - expectedEce) < 1e-9, `${r.ece} vs ${expectedEce}`);
    // Two wrong answers at e^-0.01 of six questions: only answering nothing keeps wrong ≤ 1 %.
    assert.equal(r.thresholdForWrongUnder1pct, 1);
    assert.deepEqual(
      r.disagreements.map((d) => [d.question, d.expected, d.got]),
      [
        [Q_SHIPPING, FREE_SHIPPING, SHIPS_FROM],
        [Q_ORDER, 'handoff', '亲，您的快递明天就到哦~'],
        [Q_WHEN, SHIPS_WHEN, RETURNS],
      ],
    );
    assert.match(run.out, /support-bad: 3 wrong answers, most confident first/);
  });

  test('held-out data in the training export format (转人工 answers expect a person) gives the same figures', async () => {
    const file = join(dir, 'heldout.json');
    const run = await inProcess(['--model-base-url', fake.url, '--knowledge', KB, '--data', HELDOUT, '--model', BAD, '--report', file]);
    assert.equal(run.code, 0, run.err);
    const r = readReport(file);
    assert.equal(r.data, 'tiny-heldout.jsonl');
    assert.deepEqual(r.counts, { total: 6, answerable: 4, outOfScope: 2 });
    assert.deepEqual(r.rates, { answeredCorrectly: 1 / 4, wrong: 3 / 6, handedOff: 2 / 6, outOfScopeHandedOff: 1 / 2 });
    assert.equal(r.disagreements.length, 3);
  });

  test('--compare (a child process, as npm run eval runs it): one table side by side and one report per adapter', async () => {
    const file = join(dir, 'compare.json');
    const run = await child([...common(), '--model', GOOD, '--compare', BAD, '--report', file, '--concurrency', '2']);
    assert.equal(run.code, 0, run.err);
    const lines = run.out.split('\n');
    assert.match(lines.find((l) => l.includes('adapter')) ?? '', new RegExp(`adapter\\s+${GOOD}\\s+${BAD}`));
    assert.match(run.out, /answered correctly\s+100\.0 % \(4\/4\)\s+25\.0 % \(1\/4\)/);
    assert.match(run.out, /wrong answers \(of all\)\s+0\.0 % \(0\/6\)\s+50\.0 % \(3\/6\)/);
    assert.match(run.out, /out-of-scope handed off\s+100\.0 % \(2\/2\)\s+50\.0 % \(1\/2\)/);
    assert.match(run.out, /AUROC of confidence\s+1\.000\s+0\.333/);
    assert.match(run.out, /threshold for wrong ≤ 1 %\s+0\.05\s+1\.00/);

    const second = reportPath(file, BAD, 1);
    assert.equal(second, join(dir, `compare-${BAD}.json`));
    const good = readReport(file);
    const bad = readReport(second);
    assert.equal(good.model, GOOD);
    assert.equal(bad.model, BAD);
    assert.equal(good.rates.wrong, 0);
    assert.equal(bad.rates.wrong, 0.5);
    assert.equal(good.createdAt, bad.createdAt);
  });

  test('a model node that is not there: exit 2 with a clear message, no report', async () => {
    const file = join(dir, 'unreachable.json');
    const port = await closedPort();
    const run = await child(['--model-base-url', `http://127.0.0.1:${port}/v1`, '--model', GOOD, '--knowledge', KB, '--data', EVAL_SET, '--report', file]);
    assert.equal(run.code, 2, run.out + run.err);
    assert.match(run.err, /model node unreachable at http:\/\/127\.0\.0\.1:\d+\/v1\/models: ECONNREFUSED/);
    assert.equal(existsSync(file), false);
  });

  test('an adapter the node does not serve, and bad arguments: exit 2 before any question is asked', async () => {
    const sent = fake.requests.length;
    const unknown = await inProcess([...common(), '--model', 'support-v9']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /does not serve support-v9 \(it lists: qwen2\.5-7b-instruct, support-good, support-bad\)/);
    const noModel = await inProcess(['--model-base-url', fake.url]);
    assert.equal(noModel.code, 2);
    assert.match(noModel.err, /--model NAME is required/);
    const badThreshold = await inProcess([...common(), '--model', GOOD, '--threshold', '7']);
    assert.equal(badThreshold.code, 2);
    const missingData = await inProcess(['--model-base-url', fake.url, '--knowledge', KB, '--data', join(dir, 'nope.jsonl'), '--model', GOOD]);
    assert.equal(missingData.code, 2);
    assert.match(missingData.err, /cannot read --data/);
    assert.equal(fake.requests.length, sent);
  });

  test('a question the node keeps failing is retried, then counted as a model error: exit 1, the rest still measured', async () => {
    const sent = fake.requests.length;
    fake.failWhen = (body) => (lastUser(body) === Q_WHEN ? 500 : null);
    const file = join(dir, 'errors.json');
    const run = await inProcess([...common(), '--model', GOOD, '--report', file]);
    assert.equal(run.code, 1);
    assert.match(run.err, /no answer to 1 questions of support-good/);
    assert.equal(fake.requests.slice(sent).filter((b) => lastUser(b) === Q_WHEN).length, 3);
    const r = readReport(file);
    assert.equal(r.modelErrors, 1);
    assert.deepEqual(r.rates, { answeredCorrectly: 3 / 4, wrong: 0, handedOff: 3 / 6, outOfScopeHandedOff: 1 });
  });
});
