/** The inbox filters, remembered per browser. `open` = queued + assigned, what agents work on. */
import { qs } from './api';
import { statusText } from './format';
import type { T } from './i18n';

export interface Filters {
  status: 'open' | 'queued' | 'assigned' | 'bot' | 'closed' | 'all';
  channelId: string;
  /** '' = anyone, 'me', 'none', or a user id. */
  assignee: string;
}

export const STATUS_OPTIONS: Filters['status'][] = ['open', 'queued', 'assigned', 'bot', 'closed', 'all'];
const KEY = 'kefu.filters';
const DEFAULTS: Filters = { status: 'open', channelId: '', assignee: '' };

export function loadFilters(): Filters {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Filters>;
    return {
      status: STATUS_OPTIONS.includes(stored.status as Filters['status']) ? (stored.status as Filters['status']) : DEFAULTS.status,
      channelId: typeof stored.channelId === 'string' ? stored.channelId : '',
      assignee: typeof stored.assignee === 'string' ? stored.assignee : '',
    };
  } catch {
    return DEFAULTS;
  }
}

export function saveFilters(filters: Filters): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(filters));
  } catch {
    // Private mode: filters reset on reload.
  }
}

/** The list requests a filter needs: `open` asks for queued and assigned separately. */
export function listPaths(filters: Filters): string[] {
  const statuses = filters.status === 'open' ? ['queued', 'assigned'] : filters.status === 'all' ? [undefined] : [filters.status];
  return statuses.map((status) => `/api/conversations${qs({ status, channelId: filters.channelId, assignee: filters.assignee, limit: 200 })}`);
}

/**
 * A status filter's label. `bot` lists the chats the bot is handling now, so a supervisor can watch
 * and step in (issue 14 item 2): 机器人处理中 rather than the bare status.
 */
export function statusOptionText(status: Filters['status'], t: T): string {
  if (status === 'open') return t('filter.open');
  if (status === 'all') return t('filter.all');
  if (status === 'bot') return t('filter.status.bot');
  return statusText(status, t);
}
