export { createDingtalkHttpAdapter, DINGTALK_HTTP_ACK, dingtalkConfigCache, type DingtalkHttpAdapterOptions } from './http-adapter.js';
export { parseDingtalkConfig, secretFields, type DingtalkConfig } from './config.js';
export { toInboundMessage } from './parse.js';
export { createDingtalkSender, type DingtalkSender, type DingtalkSenderOptions } from './send.js';
export { DingtalkTokenCache } from './token-cache.js';
export { verifyDingtalkSignature } from './sign.js';
export { createDingtalkStreamAdapter } from './stream-adapter.js';
