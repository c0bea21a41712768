/** The inbox filters, remembered per browser. `open` = queued + assigned, what agents work on. */
import { qs } from './api';

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
