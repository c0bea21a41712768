import type { Metrics } from '../metrics.js';
import type { CoreDeps } from '../usecases/deps.js';

export interface HttpDeps {
  core: CoreDeps;
  metrics: Metrics;
  adminToken: string;
  /** Base for callback URLs shown to admins. */
  publicUrl: string;
  /** Session cookies carry `Secure` (PUBLIC_URL is https). */
  secureCookies?: boolean;
  /** TRUST_PROXY: X-Forwarded-* headers come from our own proxy and may be believed. */
  trustProxy?: boolean;
  /** Each dependency and whether it answers, for /readyz. */
  readiness(): Promise<Record<string, boolean>>;
}
