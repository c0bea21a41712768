import type { Role } from '../../domain/user.js';

/** Who may call an /api path: nobody needs to be signed in, an agent (or admin), or an admin. */
export type Access = 'public' | Role;

const RULES: [prefix: string, access: Access][] = [
  ['/api/auth/login', 'public'],
  // issue 16 item 3: the API's description (the document and its page) holds no data or secrets.
  ['/api/openapi.json', 'public'], ['/api/docs', 'public'],
  ['/api/auth/me', 'agent'],
  ['/api/auth/logout', 'agent'],
  ['/api/conversations', 'agent'],
  // issue 14 item 1: every console user reads a customer's profile and shares the note on them.
  ['/api/contacts', 'agent'],
  // issue 12: any console user rates bot answers.
  ['/api/messages', 'agent'],
  ['/api/events', 'agent'],
  ['/api/directory', 'agent'],
  // issue 14 item 4: every console user sets their own presence and sees who takes chats.
  ['/api/me', 'agent'],
  ['/api/agents', 'agent'],
  // issue 14 item 3: every console user reads quick replies and keeps personal ones (shared: admins, checked in the use case).
  ['/api/quick-replies', 'agent'],
  ['/api/channels', 'admin'],
  ['/api/channel-kinds', 'admin'],
  ['/api/knowledge', 'admin'],
  ['/api/users', 'admin'],
  ['/api/audit', 'admin'],
  ['/api/export', 'admin'],
  ['/api/stats', 'admin'],
];

/**
 * The access level of a request path, or null when it is not an API path. Matching is
 * case-insensitive and blind to repeated slashes, because the router's matching is
 * case-insensitive too; an /api path no rule names needs an admin (deny by default, so a new
 * route is never opened to agents by accident).
 */
export function accessFor(path: string): Access | null {
  const p = path.toLowerCase().replace(/\/{2,}/g, '/');
  if (p !== '/api' && !p.startsWith('/api/')) return null;
  for (const [prefix, access] of RULES) {
    if (p === prefix || p.startsWith(prefix + '/')) return access;
  }
  return 'admin';
}
