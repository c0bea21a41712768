export { createWecomAppAdapter, type WecomAppAdapterOptions } from './app-adapter.js';
export { AccessTokenCache } from './token-cache.js';
