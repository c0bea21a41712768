/**
 * A hash router: `#/c/<id>` opens a conversation (`?at=<messageId>` scrolled to that message, issue
 * 14 item 1's visit links), `#/admin/<page>` an admin page. Hash routes need
 * no server help, and the server's SPA fallback still covers anyone who types /console/whatever.
 */
import { useSyncExternalStore } from 'react';

export type Route =
  | { name: 'inbox'; conversationId: string | null; at?: string | null }
  | { name: 'admin'; page: string }
  /** issue 14 item 3: every console user manages their quick replies (`#/quick-replies`). */
  | { name: 'quickReplies' }
  | { name: 'notFound' };

export function parseRoute(hash: string): Route {
  const [pathAndQuery, query = ''] = hash.replace(/^#/, '').split('?', 2);
  const path = pathAndQuery.replace(/^\/+/, '');
  const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  if (parts.length === 0 || (parts[0] === 'inbox' && parts.length === 1)) return { name: 'inbox', conversationId: null };
  if (parts[0] === 'c' && parts.length === 2) return { name: 'inbox', conversationId: parts[1], at: new URLSearchParams(query).get('at') };
  if (parts[0] === 'admin' && parts.length === 2) return { name: 'admin', page: parts[1] };
  if (parts[0] === 'quick-replies' && parts.length === 1) return { name: 'quickReplies' };
  return { name: 'notFound' };
}

export const hrefFor = {
  inbox: () => '#/',
  conversation: (id: string, at?: string) => `#/c/${encodeURIComponent(id)}${at ? `?at=${encodeURIComponent(at)}` : ''}`,
  admin: (page: string) => `#/admin/${page}`,
  quickReplies: () => '#/quick-replies',
};

export function navigate(href: string): void {
  if (location.hash !== href) location.hash = href;
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}
const getHash = () => location.hash;

export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, getHash, getHash));
}
