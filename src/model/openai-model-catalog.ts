import { request } from 'undici';
import { z } from 'zod';
import type { CatalogListing, ModelCatalog } from '../ports/model-catalog.js';

export interface OpenAiModelCatalogOptions {
  /** e.g. http://gpu-node:8000/v1, as MODEL_BASE_URL. */
  baseUrl: string;
  apiKey?: string;
  /** The console waits on it: short. */
  timeoutMs?: number;
  /** Several admins on the model page do not each ask the node. */
  cacheMs?: number;
}

// vLLM: { data: [{ id, root, parent }] }; parent is the base model of a LoRA module, null for the base.
const listingSchema = z.object({
  data: z.array(z.object({ id: z.string().min(1), parent: z.string().nullable().optional() }).passthrough()),
});

/** issue 13 item 4: GET {MODEL_BASE_URL}/models with the API key, cached a few seconds. */
export function createOpenAiModelCatalog(opts: OpenAiModelCatalogOptions): ModelCatalog {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/models`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  const timeoutMs = opts.timeoutMs ?? 3000;
  const cacheMs = opts.cacheMs ?? 5000;
  let cached: { at: number; listing: Promise<CatalogListing> } | null = null;

  async function fetchListing(): Promise<CatalogListing> {
    try {
      const res = await request(url, { method: 'GET', headers, signal: AbortSignal.timeout(timeoutMs) });
      if (res.statusCode < 200 || res.statusCode >= 300) {
        void res.body.dump().catch(() => undefined);
        return { configured: true, available: false, error: `model node answered HTTP ${res.statusCode}`, models: [] };
      }
      const parsed = listingSchema.safeParse(await res.body.json());
      if (!parsed.success) return { configured: true, available: false, error: 'model node listing is not an OpenAI model list', models: [] };
      return { configured: true, available: true, error: null, models: parsed.data.data.map((m) => ({ name: m.id, parent: m.parent ?? null })) };
    } catch (err) {
      const e = err as { name?: string; message?: string };
      const error = e.name === 'TimeoutError' ? `model node did not answer within ${timeoutMs} ms` : `model node unreachable: ${e.message ?? String(err)}`;
      return { configured: true, available: false, error, models: [] };
    }
  }

  return {
    list() {
      const now = Date.now();
      if (!cached || now - cached.at >= cacheMs) cached = { at: now, listing: fetchListing() };
      return cached.listing;
    },
  };
}

/** No model node configured (the knowledge-base responder answers): nothing to list. */
export const nullModelCatalog: ModelCatalog = {
  list: async () => ({ configured: false, available: false, error: null, models: [] }),
};
