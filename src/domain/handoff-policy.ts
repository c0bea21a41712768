import type { HandoffReason } from './conversation.js';
import { isReadableByBot, type MessageKind } from './message.js';

/** Explicit requests for a person (DESIGN.md §4.5). Matched as substrings of the normalized text. */
// Phrases, not the bare word 人工: that also matches 人工智能 ("AI").
const HUMAN_REQUESTS = [
  '转人工', '人工客服', '人工服务', '找客服', '找人工', '真人客服', '要人工', '接人工', '人工坐席', '联系人工',
  // Issue 12: asking for a real person in other words, or saying the bot is no help.
  '找真人', '找个真人', '换真人', '换个真人', '要真人', '转真人', '真人回复我', '真人跟我', '和真人', '跟真人',
  '找个人', '换个人', '来个人', '不要机器人', '别用机器人', '机器人说不清', '机器人答', '你是机器人',
  'realperson', 'humanagent', 'talktoahuman', 'talktoaperson', 'talktosomeone', 'liveagent', 'customerservicerep',
];
/**
 * A message that is nothing but a call for a person (issue 12, rule 6a): 人工, rg (pinyin initials of
 * 人工), 真人, 接人工, 有活人吗, 人工人工!!, 我要人工. Anchored to the whole message so that 人工智能 ("AI")
 * or 人工费 stay ordinary questions; politeness, particles and repetition around the call are allowed.
 */
const ONLY_HUMAN_REQUEST = new RegExp(
  '^(?:你好|您好|hi|hello|在吗|喂)*(?:请|麻烦)?(?:我要|我想|我需要|给我|帮我|快)?(?:转|接|找|叫|要|换|zhuan|z)?' +
    // Issue 12: typed in pinyin too (zhuan ren gong, rg kf): full syllables or initials.
    '(?:(?:人工|rg|rengong|真人|zhenren|活人|人工客服|真人客服|人类)(?:客服|服务|kf|kefu)?)+' +
    '(?:吗|呢|啊|呀|吧|好吗|可以吗|谢谢|在吗|在不在)*$',
  'u',
);
/** 有人吗 / 有活人吗 / 有真人吗 / 是真人吗 / 有没有人工: asking whether a person is there is asking for one. */
const IS_ANYONE_THERE = /^(?:你好|您好|hi|hello|喂)*(?:有没有|有|是不是|是)(?:活人|真人|人工|人)(?:客服)?(?:在)?(?:吗|么|嘛|没有|不)?$/u;
/** Complaints always reach a person, whatever the model thinks of them. */
// No bare numbers such as 315: they match prices and order numbers.
const COMPLAINTS = [
  '投诉', '举报', '差评', '假货', '骗子', '欺诈', '消协', '律师', '维权',
  // Issue 12: demands and anger that no policy answer settles.
  '赔我', '赔偿', '补偿', '给个说法', '给我个说法', '给我一个说法', '讨个说法', '垃圾', '坑人', '骗人', '忽悠', '太差劲', '差劲', '气死',
  '什么破', '再也不买', '不合理', '太过分', '过分了', '欺骗', '黑店',
];

export interface TurnFacts {
  botEnabled: boolean;
  /** The customer messages this turn answers, oldest first. */
  messages: { kind: MessageKind; text: string | null }[];
  /** Earlier customer texts of this conversation that the bot already answered. */
  answeredQuestions: string[];
  /** The channel's own handoff keywords. */
  channelKeywords: string[];
}

/** Strips what does not change the meaning of a short chat line: spaces, punctuation, case. */
export function normalizeQuestion(text: string): string {
  return text.toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** True for a normalized message that only asks for a person (人工, rg, 真人, 有活人吗 …). */
export function isOnlyHumanRequest(normalized: string): boolean {
  return ONLY_HUMAN_REQUEST.test(normalized) || IS_ANYONE_THERE.test(normalized);
}

/** Rules that hand a turn to a human before any model is asked. Order is the order of precedence. */
export function handoffBeforeModel(facts: TurnFacts): HandoffReason | null {
  if (!facts.botEnabled) return 'bot_disabled';
  if (facts.messages.some((m) => !isReadableByBot(m.kind))) return 'unsupported_message';
  const text = normalizeQuestion(facts.messages.map((m) => m.text ?? '').join(' '));
  if (HUMAN_REQUESTS.some((k) => text.includes(k)) || isOnlyHumanRequest(text)) return 'customer_request';
  const keywords = [...COMPLAINTS, ...facts.channelKeywords.map(normalizeQuestion)].filter((k) => k.length > 0);
  if (keywords.some((k) => text.includes(k))) return 'keyword';
  const asked = new Set(facts.answeredQuestions.map(normalizeQuestion));
  if (text.length > 0 && asked.has(text)) return 'repeat_question';
  return null;
}

/**
 * A reply that tells the customer a person will take over (为您转接人工客服, 请人工客服为您解答) rather
 * than answering. The prompt asks the model to say exactly that when the knowledge does not cover
 * the question (src/model/prompt.ts), and the LoRA round trains it to (issue 13 item 1's 转人工
 * examples); sent as an answer, it promised a person while the chat stayed with the bot. Only a
 * promise made to this customer counts: the transfer is done for them (为您/帮您/给您, 正在, 马上…)
 * or a person is asked to answer them (请人工客服为您解答). A policy that names people (退款由人工客服
 * 审核处理, 发票由专人处理) or tells the customer how to reach one (回复"转人工", 点击转人工按钮) is an answer.
 */
const PROMISES_A_PERSON = [
  /(?:为您|帮您|给您|正在|马上|立即|立刻|这就|稍后)[^，,。！!？?]{0,4}(?:转接|转给|转到|转交|转)(?:给|到|至)?(?:专属)?(?:人工|真人客服|客服同事|专人)/u,
  /(?:请|安排|让)(?:人工|专人|客服同事|真人客服)(?:客服)?(?:为您|给您|帮您|来)(?:解答|处理|跟进|查询|联系|回复)/u,
];

export function promisesAPerson(reply: string): boolean {
  return PROMISES_A_PERSON.some((pattern) => pattern.test(reply));
}

/**
 * The model's own confidence decides the rest (DESIGN.md §4.5); a confident reply that only promises
 * a person hands off too (`model_declined`, issue 13), so the promise is kept.
 */
export function handoffAfterModel(confidence: number, threshold: number, reply = ''): HandoffReason | null {
  if (!(confidence >= threshold)) return 'low_confidence';
  return promisesAPerson(reply) ? 'model_declined' : null;
}
