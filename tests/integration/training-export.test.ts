import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bigramDice, normalizeAnswer } from '../../src/domain/answer-match.js';
import { HANDOFF_ANSWER } from '../../src/domain/training/out-of-scope.js';
import { projectRoot } from '../../src/paths.js';
import { createStorage, login, mode, startTestService, testEnv, type Storage, type TestService } from '../support/harness.js';
import { afterBotTurn, createWebchatChannel, customerSays, newVisitor } from '../support/learning-fixture.js';

const TRAINING_ENV = { TRAINING_HELDOUT_SHARE: '0.4', TRAINING_CUSTOMER_ADDRESS: '您', TRAINING_SIGN_OFF: '祝您购物愉快！' };

/** Answers agents give to questions the knowledge base does not know, each asked in two ways. */
const AGENT_ANSWERS: { questions: string[]; answer: string }[] = [
  { questions: ['蚂蚁那个先享后付能用不', '能用先用后付吗'], answer: '亲，支持先用后付，下单时选择即可。' },
  { questions: ['你们的衣服起球不', '这件毛衣会不会起球'], answer: '亲~我们的毛衣用的是精梳羊毛,正常穿着不易起球哦' },
  { questions: ['洗衣机可以洗吗', '能不能机洗'], answer: '建议手洗或使用洗衣机的羊毛模式，水温不超过30度。' },
  { questions: ['有没有儿童款', '小孩能穿的有吗'], answer: '有的，儿童款在店铺首页的亲子专区，尺码从90到150都有。' },
  { questions: ['量子纠缠的原理是什么', '黑洞为什么是黑的'], answer: '这类问题超出了我们店铺的服务范围，感谢您的理解。' },
  { questions: ['晚上几点还有人回复', '客服凌晨在线吗'], answer: '人工客服每天9:00到23:30在线，其余时间可以留言。' },
];

/** What the probe wrote, one message each, after 找客服. */
const PROBE_LINES = [
  '找客服', '我想改一下收货地址', '新地址广州市天河区体育西路191号中石化大厦B座2508', '南京市鼓楼区中山路18号德基广场二期5楼也行', '老地址 杭州市西湖区文三路 478 号',
  '座机(010)8888-6666 或 010-8888-6666', '电话0086 13900001111', '微信 wxid_abc123，vx: abc_123456，QQ 12345678',
];
/** None of the probe's personal data may reach train.jsonl or heldout.jsonl. */
const PROBE_SECRETS = [
  'SOHO', '1201', '中石化大厦', '2508', '德基广场', '5楼', '478', '8888', '6666', '0086', '13900001111', '13812345678', 'wxid_abc123', 'abc_123456', '12345678', '找客服',
];

/**
 * issue 13 item 1, end to end: conversations agents answered (through the service's own HTTP paths),
 * bot answers an agent marked good or corrected, exported as train.jsonl / heldout.jsonl / report.json.
 */
describe(`training data export (${mode})`, () => {
  let storage: Storage;
  let svc: TestService;
  let closed = false;
  let channelId: string;

  const exportPart = async (path: string, query = '') => {
    const res = await fetch(`${svc.url}/api/export/training/${path}${query}`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text };
  };
  const jsonl = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const exportAudits = async () => (await svc.api('GET', '/api/audit?limit=1000')).body.items.filter((a: any) => a.action === 'training.export');

  /** A customer asks, the bot hands off, the admin takes the chat and answers with each reply in turn. */
  async function agentAnswers(lines: string[], ...replies: string[]): Promise<void> {
    const visitor = newVisitor();
    for (const line of lines) await customerSays(svc, channelId, visitor, line);
    const conversation = await afterBotTurn(svc, channelId, visitor);
    assert.equal(conversation.status, 'queued', `the bot handed off ${lines.join(' / ')}`);
    assert.equal((await svc.api('POST', `/api/conversations/${conversation.id}/assign`)).status, 200);
    for (const text of replies) assert.equal((await svc.api('POST', `/api/conversations/${conversation.id}/messages`, { text })).status, 201);
  }

  /** A customer asks what the knowledge base knows; the bot answers; an agent rates the answer. */
  async function botAnswersAndIsRated(question: string, feedback: { verdict: 'good' | 'bad'; correction?: string }): Promise<void> {
    const visitor = newVisitor();
    await customerSays(svc, channelId, visitor, question);
    const conversation = await afterBotTurn(svc, channelId, visitor);
    const bot = conversation.messages.find((m: any) => m.sender === 'bot' && m.confidence !== null);
    assert.ok(bot, `the bot answered ${question} (${JSON.stringify(conversation.messages.map((m: any) => [m.sender, m.text, m.confidence]))})`);
    assert.equal((await svc.api('POST', `/api/messages/${bot.id}/feedback`, feedback)).status, 200);
  }

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage, TRAINING_ENV);
    channelId = await createWebchatChannel(svc);
    // Knowledge with stages: through create, update and import.
    const shipping = await svc.api('POST', '/api/knowledge', { channelId, instruction: '包邮吗', output: '全场满299元包邮，偏远地区除外。' });
    assert.equal(shipping.body.stage, 'basic', 'basic by default');
    const promo = await svc.api('POST', '/api/knowledge', { channelId, instruction: '双11有什么活动', output: '双11当天全场满300减50，还可叠加店铺券。', stage: 'basic' });
    const updated = await svc.api('PUT', `/api/knowledge/${promo.body.id}`, { instruction: '双11有什么活动', output: '双11当天全场满300减50，还可叠加店铺券。', stage: 'promotion' });
    assert.equal(updated.body.stage, 'promotion');
    const imported = await svc.api('POST', `/api/knowledge/import?channelId=${channelId}`,
      '{"instruction":"发票怎么开","output":"下单时填写发票抬头，发货后电子发票发到您的邮箱。","stage":"basic"}\n{"instruction":"x","output":"y","stage":"vip"}\n',
      { 'content-type': 'application/x-ndjson' });
    assert.deepEqual([imported.body.imported, imported.body.errors[0]?.line], [1, 2], 'a bad stage is a bad line');

    for (const { questions, answer } of AGENT_ANSWERS) {
      // The customer's greeting and the agent's 稍等 are noise around the real pair.
      await agentAnswers(['在吗', questions[0]], '稍等', answer);
      await agentAnswers([questions[1]], answer.replace(/^亲[~，,]?/, ''));
    }
    // Personal data: masked in the question; an answer with one customer's parcel becomes a 转人工 example.
    await agentAnswers(['我电话13812345678，那个羊毛衫怎么洗'], '建议手洗或使用洗衣机的羊毛模式，水温不超过30度哦');
    await agentAnswers(['我那件衣服寄出来没有'], '您的快递单号SF1234567890，今天上午已经从杭州仓发出。');
    await agentAnswers(['[微笑]'], '您好，请问有什么可以帮您？');
    // issue 13 item 1, an outside probe writing as a customer: addresses to the room, spaced addresses,
    // split landlines, 0086, chat ids; a line that only asks for a person; contact details in a general question.
    await agentAnswers(PROBE_LINES, '下单后未发货前可以在订单页修改收货地址。');
    await agentAnswers(['地址是北京市朝阳区建国路88号SOHO现代城3号楼1201室，能送货上门吗'], '北京市区支持送货上门，偏远地区送到驿站。');
    await agentAnswers(['请问衣服能不能机洗？我电话是13812345678'], '可以机洗，请用洗衣机的羊毛模式，水温不超过30度。');
    // Bot answers from the knowledge base: one an agent marked good, one corrected.
    await botAnswersAndIsRated('包邮吗', { verdict: 'good' });
    await botAnswersAndIsRated('双11有什么活动', { verdict: 'bad', correction: '双11当天全场满300减60，还可叠加店铺券。' });
  });
  after(async () => {
    if (!closed) await svc?.close();
    await storage?.dispose();
  });

  test('train.jsonl and heldout.jsonl: the recipe\'s format, split by answer, nothing held out leaks into training', async () => {
    const [trainRes, heldRes] = [await exportPart('train.jsonl'), await exportPart('heldout.jsonl')];
    assert.equal(trainRes.status, 200);
    assert.match(trainRes.type, /^application\/x-ndjson/);
    const train = jsonl(trainRes.text);
    const heldout = jsonl(heldRes.text);
    assert.ok(train.length > 0 && heldout.length > 0, `both splits have examples (train ${train.length}, heldout ${heldout.length})`);
    for (const e of [...train, ...heldout]) {
      assert.deepEqual(Object.keys(e), ['instruction', 'input', 'output', 'stage']);
      assert.ok(['basic', 'promotion', 'emotion'].includes(e.stage));
    }
    for (const h of heldout.filter((e) => e.output !== HANDOFF_ANSWER)) {
      for (const t of train) {
        assert.ok(bigramDice(normalizeAnswer(h.output), normalizeAnswer(t.output)) < 0.8, `held-out answer ${h.output} is in training as ${t.output}`);
      }
    }
    const all = [...train, ...heldout];
    const text = JSON.stringify(all);
    for (const noise of ['13812345678', 'SF1234567890', '在吗', '稍等"', '[微笑]']) assert.ok(!text.includes(noise), `${noise} is not in the export`);
    // Both phrasings of an answer, in the shop's voice, on the same side.
    const wool = all.filter((e) => e.output.includes('精梳羊毛'));
    assert.deepEqual(wool.map((e) => e.output).sort(), ['您好，我们的毛衣用的是精梳羊毛，正常穿着不易起球哦。祝您购物愉快！', '我们的毛衣用的是精梳羊毛，正常穿着不易起球哦。祝您购物愉快！']);
    assert.ok(wool.every((e) => train.includes(e)) || wool.every((e) => heldout.includes(e)));
    assert.ok(all.some((e) => e.instruction === '我电话[手机号]，那个羊毛衫怎么洗'), 'the phone number is masked');
    for (const secret of PROBE_SECRETS) assert.ok(!text.includes(secret), `${secret} is not in the export`);
    const probe = all.find((e) => e.instruction.startsWith('我想改一下收货地址'));
    assert.equal(probe?.instruction, '我想改一下收货地址\n新地址[地址]\n[地址]也行\n老地址[地址]\n座机[电话]或[电话]\n电话[手机号]\n微信[社交账号]，vx： [社交账号]，QQ [社交账号]');
    assert.equal(probe?.output, '下单后未发货前可以在订单页修改收货地址。祝您购物愉快！', 'contact details are masked, not a reason to hand off');
    assert.ok(all.some((e) => e.instruction === '地址是[地址]，能送货上门吗' && e.output.startsWith('北京市区支持送货上门')));
    assert.ok(all.some((e) => e.instruction === '请问衣服能不能机洗？我电话是[手机号]' && e.output.startsWith('可以机洗')), 'a general question with a phone number is not a 转人工 example');
    assert.ok(all.some((e) => e.instruction === '我那件衣服寄出来没有' && e.output === HANDOFF_ANSWER), 'the parcel question hands off');
    assert.ok(all.some((e) => e.instruction === '包邮吗' && e.output.startsWith('全场满299元包邮')), 'the bot answer marked good');
    assert.ok(all.some((e) => e.instruction === '双11有什么活动' && e.output.includes('满300减60') && e.stage === 'promotion'), 'the correction, with its entry\'s stage');
  });

  test('report.json counts every step, and each request is audited', async () => {
    const before = (await exportAudits()).length;
    const res = await exportPart('report.json');
    assert.equal(res.status, 200);
    const report = JSON.parse(res.text);
    assert.deepEqual(report.read, { total: 26, agent_answer: 24, good_bot_answer: 1, correction: 1 });
    assert.equal(report.denoise.dropped.agentFiller, 6 + 1, 'six 稍等 and one greeting reply');
    assert.equal(report.denoise.linesRemoved, 6 + 1, 'six 在吗 and one 找客服');
    assert.deepEqual(report.masked, { mobile: 3, orderNumber: 1, address: 4, landline: 2, socialAccount: 3 });
    assert.equal(report.outOfScope, 1, 'the parcel answer; phone numbers and addresses a customer gives are no reason to hand off');
    assert.equal(report.split.train + report.split.heldout, report.diversity.kept);
    assert.equal(report.stages.basic + report.stages.promotion + report.stages.emotion, report.diversity.kept);
    assert.equal(report.stages.promotion, 1);
    assert.deepEqual(report.settings, { phrasingsPerAnswer: 5, heldoutShare: 0.4, customerAddress: '您', signOff: '祝您购物愉快！', orderNumberPattern: '[A-Z]{1,3}\\d{6,}(?:-\\d+)?' });
    const audits = await exportAudits();
    assert.equal(audits.length, before + 1);
    assert.deepEqual(audits[0].details, { part: 'report', since: '1970-01-01T00:00:00.000Z', stage: null, train: report.split.train, heldout: report.split.heldout });
    // The counts are what was replaced: every masked item of a question is a placeholder in the files (the
    // order number was in the parcel answer, which became the 转人工 answer).
    const files = JSON.stringify([...jsonl((await exportPart('train.jsonl')).text), ...jsonl((await exportPart('heldout.jsonl')).text)].map((e) => e.instruction));
    const placeholders = (p: string) => files.split(p).length - 1;
    assert.deepEqual(
      { mobile: placeholders('[手机号]'), address: placeholders('[地址]'), landline: placeholders('[电话]'), socialAccount: placeholders('[社交账号]') },
      { mobile: 3, address: 4, landline: 2, socialAccount: 3 },
    );
  });

  test('?stage= and ?since= filter; the old route is the train split', async () => {
    const promotion = jsonl((await exportPart('train.jsonl', '?stage=promotion')).text).concat(jsonl((await exportPart('heldout.jsonl', '?stage=promotion')).text));
    assert.deepEqual(promotion.map((e) => e.stage), ['promotion']);
    const future = JSON.parse((await exportPart('report.json', `?since=${encodeURIComponent('2999-01-01T00:00:00Z')}`)).text);
    assert.equal(future.read.total, 0);
    const old = await fetch(`${svc.url}/api/export/training.jsonl`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
    assert.equal(await old.text(), (await exportPart('train.jsonl')).text);
  });

  test('a bad stage or since is a 400 and changes nothing; agents may not export', async () => {
    const before = (await exportAudits()).length;
    for (const query of [
      '?stage=vip', '?stage=BASIC', '?since=yesterday', '?since=-271821-04-20T00:00:00Z',
      // issue 13 item 1: ISO 8601 only (these read as 2000-01-01, 2001-01-01, 2026-01-01), and no unknown keys.
      '?since=0', '?since=-1', '?since=2026', '?since=2025-02-30', '?stage[]=basic', '?stage[a]=1', '?since[]=2026', '?stage=basic&stage=basic', '?limit=10',
    ]) {
      for (const part of ['train.jsonl', 'heldout.jsonl', 'report.json']) assert.equal((await exportPart(part, query)).status, 400, `${part}${query}`);
    }
    assert.equal((await svc.api('POST', '/api/users', { email: 'agent@shop.test', name: '小王', role: 'agent', password: 'agent-password-1' })).status, 201);
    const agent = await login(svc.url, 'agent@shop.test', 'agent-password-1');
    assert.equal((await agent.api('GET', '/api/export/training/train.jsonl')).status, 403);
    assert.equal((await exportAudits()).length, before);
  });

  test('npm run training:export writes the same three files from the database', async () => {
    const train = (await exportPart('train.jsonl')).text;
    const heldout = (await exportPart('heldout.jsonl')).text;
    // The embedded database opens in one process at a time: the command runs after the service stops.
    await svc.close();
    closed = true;
    const out = mkdtempSync(join(tmpdir(), 'kefu-training-'));
    try {
      const env = { ...process.env, ...testEnv(storage, TRAINING_ENV) };
      await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/training-export.ts', '--out', out], { cwd: projectRoot, env });
      assert.equal(readFileSync(join(out, 'train.jsonl'), 'utf8'), train);
      assert.equal(readFileSync(join(out, 'heldout.jsonl'), 'utf8'), heldout);
      assert.equal(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).read.total, 26);
      for (const args of [['--stage', 'vip'], ['--since', '0'], ['--since', '-1'], ['--since', '2026']]) {
        const bad = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/training-export.ts', '--out', out, ...args], { cwd: projectRoot, env }).catch((err) => err);
        assert.equal(bad.code, 2, args.join(' '));
      }
      const since = JSON.parse(
        (await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/training-export.ts', '--out', out, '--since', '2025-01-01T08:00:00+08:00'], { cwd: projectRoot, env }), readFileSync(join(out, 'report.json'), 'utf8')),
      ).since;
      assert.equal(since, '2025-01-01T00:00:00.000Z');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
