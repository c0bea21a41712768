/**
 * The fake 微信客服's session rules (protocols/wecom.md §4.3–§4.5): service_state per
 * (open_kfid, external_userid), default 1 (智能助手接待); send_msg only in states 0/1 (else 95018);
 * 48 h and 5 messages after each customer message (95002 / 95001); event codes usable once.
 */
type Json = Record<string, unknown>;

/** Codes §4.6 does not settle; each is the fake's choice. */
export const KF_ERR = {
  /** UNVERIFIED: a msgid WeCom already accepted (adapters/wecom/kf-send.ts DUPLICATE_MSGID_ERRCODE). */
  duplicateMsgid: 95019,
  /** UNVERIFIED: sync_msg Token unknown or older than 10 minutes ("不合法的msgtoken", global list). */
  badPullToken: 95007,
  /** UNVERIFIED: a send_msg_on_event code unknown or already used ("只可调用一次", §4.5). */
  badEventCode: 95020,
  /** UNVERIFIED: a transition §4.4's table does not allow (from 4, or to 3 without a servicer). */
  badTransition: 95016,
  /** UNVERIFIED: a malformed cursor or request (WeCom's 不合法的参数 family). */
  badParam: 40058,
} as const;

const WINDOW_MS = 48 * 3600 * 1000;
const MAX_PER_TURN = 5;

export interface TransCall {
  openKfId: string;
  externalUserId: string;
  serviceState: number;
  servicerUserId?: string;
}

interface Session {
  state: number;
  servicer?: string;
  /** When the customer last wrote, and how many API messages went out since. */
  lastCustomerAt?: number;
  sentSince: number;
}

export class KfSessions {
  /** Valid send_msg_on_event codes: welcome_code of appended enter_session events, trans msg_codes. */
  readonly codes = new Set<string>();
  readonly transCalls: TransCall[] = [];
  private readonly sessions = new Map<string, Session>();
  private codeCounter = 0;

  constructor(private readonly now: () => number) {}

  set(openKfId: string, externalUserId: string, state: number, servicer?: string): void {
    Object.assign(this.session(openKfId, externalUserId), { state, servicer });
  }

  state(openKfId: string, externalUserId: string): number {
    return this.session(openKfId, externalUserId).state;
  }

  /** A customer message: a new turn of 5 messages; an ended session becomes 未处理 (§4.4, state 4 row). */
  customerWrote(openKfId: string, externalUserId: string, atMs: number): void {
    const s = this.session(openKfId, externalUserId);
    s.lastCustomerAt = Math.max(s.lastCustomerAt ?? 0, atMs);
    s.sentSince = 0;
    if (s.state === 4) s.state = 0;
  }

  get(body: Json): Json {
    if (!body.open_kfid || !body.external_userid) return { errcode: KF_ERR.badParam, errmsg: 'missing open_kfid or external_userid' };
    const s = this.session(String(body.open_kfid), String(body.external_userid));
    return { errcode: 0, errmsg: 'ok', service_state: s.state, ...(s.state === 3 && s.servicer ? { servicer_userid: s.servicer } : {}) };
  }

  trans(body: Json): Json {
    const target = body.service_state;
    if (!body.open_kfid || !body.external_userid || typeof target !== 'number' || target < 0 || target > 4) {
      return { errcode: KF_ERR.badParam, errmsg: 'invalid parameter' };
    }
    const s = this.session(String(body.open_kfid), String(body.external_userid));
    const servicer = typeof body.servicer_userid === 'string' && body.servicer_userid !== '' ? body.servicer_userid : undefined;
    // "4 已结束/未开始: 不允许通过API变更会话状态"; state 3 needs a servicer (§4.4).
    if (s.state === 4 || (target === 3 && servicer === undefined)) return { errcode: KF_ERR.badTransition, errmsg: 'state transition not allowed' };
    this.transCalls.push({
      openKfId: String(body.open_kfid), externalUserId: String(body.external_userid), serviceState: target,
      ...(servicer === undefined ? {} : { servicerUserId: servicer }),
    });
    s.state = target;
    s.servicer = target === 3 ? servicer : undefined;
    if (target < 2) return { errcode: 0, errmsg: 'ok' };
    // msg_code: 回复语 for 2/3, 结束语 for 4, usable with send_msg_on_event (§4.4).
    const code = `MSGCODE_${(this.codeCounter += 1)}`;
    this.codes.add(code);
    return { errcode: 0, errmsg: 'ok', msg_code: code };
  }

  /** null when send_msg may deliver now (and counts it); else WeCom's refusal. */
  admitSend(openKfId: string, externalUserId: string): Json | null {
    const s = this.session(openKfId, externalUserId);
    if (s.state !== 0 && s.state !== 1) return { errcode: 95018, errmsg: 'send msg session status invalid' };
    if (s.lastCustomerAt === undefined || this.now() - s.lastCustomerAt > WINDOW_MS) {
      return { errcode: 95002, errmsg: 'send msg time limit' };
    }
    if (s.sentSince >= MAX_PER_TURN) return { errcode: 95001, errmsg: 'send msg count limit' };
    s.sentSince += 1;
    return null;
  }

  useCode(code: string): Json | null {
    if (!this.codes.delete(code)) return { errcode: KF_ERR.badEventCode, errmsg: 'invalid code' };
    return null;
  }

  private session(openKfId: string, externalUserId: string): Session {
    const key = `${openKfId}\n${externalUserId}`;
    let s = this.sessions.get(key);
    if (s === undefined) {
      s = { state: 1, sentSince: 0 };
      this.sessions.set(key, s);
    }
    return s;
  }
}
