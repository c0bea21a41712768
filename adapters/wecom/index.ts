export { createWecomAppAdapter, type WecomAppAdapterOptions } from './app-adapter.js';
export { createWecomBotAdapter, STREAM_WINDOW_MS, streamIdOf, type WecomBotAdapterOptions } from './bot-adapter.js';
export { createWecomKfAdapter, PULL_TOKEN_REFUSED_ERRCODE, type WecomKfAdapterOptions } from './kf-adapter.js';
export { parseConfig as parseKfConfig, type WecomKfConfig } from './kf-config.js';
export { DUPLICATE_MSGID_ERRCODE, kfMsgid } from './kf-send.js';
export { AccessTokenCache } from './token-cache.js';
