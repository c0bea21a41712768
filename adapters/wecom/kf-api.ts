/**
 * 微信客服 API calls (protocols/wecom.md §4.2–§4.5) on top of WecomApiClient, which owns the
 * access token (refresh once on 40014/42001) and turns errcodes into PlatformErrors. Wire field
 * names stay in this file and kf-parse.ts.
 */
import { PlatformError } from '../../src/domain/errors.js';
import type { WecomApiClient, WecomResponse } from './api-client.js';
import type { AppCredentials } from './token-cache.js';

export interface SyncMsgRequest {
  /** Omitted on the first pull: "从3天内最早的消息开始返回" (§4.2). */
  cursor?: string;
  /** The callback Token (valid 10 minutes); without it sync_msg has "严格的频率限制". */
  token?: string;
  limit: number;
  /** 0 = amr. */
  voice_format: 0 | 1;
  open_kfid: string;
}

export interface SyncMsgPage {
  /** Absent when WeCom sent none: the caller keeps its cursor. */
  nextCursor: string | null;
  hasMore: boolean;
  /** Raw items; kf-parse.ts maps them one by one so a strange item cannot sink the page. */
  msgList: unknown[];
}

export interface ServiceState {
  /** 0 未处理 · 1 智能助手接待 · 2 待接入池排队中 · 3 人工接待 · 4 已结束/未开始 (§4.4). */
  state: number;
  servicerUserId?: string;
}

export interface TextSend {
  touser: string;
  open_kfid: string;
  msgid: string;
  content: string;
}

export interface EventReply {
  code: string;
  msgid: string;
  content: string;
}

export interface StateChange {
  open_kfid: string;
  external_userid: string;
  service_state: number;
  servicer_userid?: string;
}

export class WecomKfApi {
  constructor(private readonly client: WecomApiClient) {}

  async syncMsg(creds: AppCredentials, request: SyncMsgRequest): Promise<SyncMsgPage> {
    const res = await this.client.post(creds, '/cgi-bin/kf/sync_msg', request, { hasEffects: false });
    // "不能通过判断msg_list是否空来停止拉取" (§4.2): has_more alone says whether to go on.
    const msgList = Array.isArray(res.msg_list) ? (res.msg_list as unknown[]) : [];
    const nextCursor = typeof res.next_cursor === 'string' && res.next_cursor !== '' ? res.next_cursor : null;
    return { nextCursor, hasMore: res.has_more === 1, msgList };
  }

  /** kf/send_msg (§4.3); returns the msgid WeCom echoes. */
  async sendMsg(creds: AppCredentials, m: TextSend): Promise<string | undefined> {
    const body = { touser: m.touser, open_kfid: m.open_kfid, msgid: m.msgid, msgtype: 'text', text: { content: m.content } };
    return msgidOf(await this.client.post(creds, '/cgi-bin/kf/send_msg', body));
  }

  /** send_msg_on_event (§4.5): answers an event with its one-time code, text only. */
  async sendMsgOnEvent(creds: AppCredentials, m: EventReply): Promise<string | undefined> {
    const body = { code: m.code, msgid: m.msgid, msgtype: 'text', text: { content: m.content } };
    return msgidOf(await this.client.post(creds, '/cgi-bin/kf/send_msg_on_event', body));
  }

  async getServiceState(creds: AppCredentials, openKfId: string, externalUserId: string): Promise<ServiceState> {
    const body = { open_kfid: openKfId, external_userid: externalUserId };
    const res = await this.client.post(creds, '/cgi-bin/kf/service_state/get', body, { hasEffects: false });
    if (typeof res.service_state !== 'number') {
      throw new PlatformError('WeCom /cgi-bin/kf/service_state/get: response without service_state', { retryable: true });
    }
    // The field is servicer_userid (doc); silenceper/wechat's `service_userid` is a bug (§4.4).
    const servicer = typeof res.servicer_userid === 'string' && res.servicer_userid !== '' ? res.servicer_userid : undefined;
    return servicer === undefined ? { state: res.service_state } : { state: res.service_state, servicerUserId: servicer };
  }

  /** service_state/trans (§4.4); returns msg_code (a 接入语/结束语 code for send_msg_on_event) when WeCom gives one. */
  async transServiceState(creds: AppCredentials, change: StateChange): Promise<string | undefined> {
    const res = await this.client.post(creds, '/cgi-bin/kf/service_state/trans', change);
    return typeof res.msg_code === 'string' && res.msg_code !== '' ? res.msg_code : undefined;
  }

  /** media/get (§4.2: media ids are valid 3 days). */
  getMedia(creds: AppCredentials, mediaId: string): Promise<{ contentType: string; body: Buffer }> {
    return this.client.download(creds, '/cgi-bin/media/get', { media_id: mediaId });
  }
}

function msgidOf(res: WecomResponse): string | undefined {
  return typeof res.msgid === 'string' && res.msgid !== '' ? res.msgid : undefined;
}
