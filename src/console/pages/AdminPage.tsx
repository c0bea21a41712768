import { Component, type ComponentType, type ReactNode } from 'react';
import { AuditPage } from '../admin/AuditPage';
import { ChannelsPage } from '../admin/ChannelsPage';
import { DashboardPage } from '../admin/DashboardPage';
import { KnowledgePage } from '../admin/KnowledgePage';
import { ModelsPage } from '../admin/ModelsPage';
import { UsersPage } from '../admin/UsersPage';
import { api } from '../api';
import { useT, type T } from '../i18n';
import type { User } from '../types';

/** The admin pages (C2's components); each gets `{ api, t }` and may import ../api and ../i18n itself. */
const PAGES: Record<string, ComponentType<{ api: typeof api; t: T }>> = {
  dashboard: DashboardPage as ComponentType<{ api: typeof api; t: T }>,
  channels: ChannelsPage as ComponentType<{ api: typeof api; t: T }>,
  knowledge: KnowledgePage as ComponentType<{ api: typeof api; t: T }>,
  models: ModelsPage as ComponentType<{ api: typeof api; t: T }>,
  users: UsersPage as ComponentType<{ api: typeof api; t: T }>,
  audit: AuditPage as ComponentType<{ api: typeof api; t: T }>,
};

export function Forbidden() {
  const t = useT();
  return (
    <div className="message-page" data-testid="forbidden">
      <h1>{t('forbidden.title')}</h1>
      <p>{t('forbidden.body')}</p>
    </div>
  );
}

export function NotFound() {
  const t = useT();
  return <div className="message-page"><p>{t('notfound.body')}</p></div>;
}

/** One admin page crashing shows its error instead of blanking the whole console. */
class Boundary extends Component<{ children: ReactNode; label: string }, { error: Error | null }> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  render() {
    if (this.state.error) return <p className="error" role="alert">{this.props.label}: {this.state.error.message}</p>;
    return this.props.children;
  }
}

/** Agents never reach an admin page's API calls: the server would answer 403 anyway. */
export function AdminPage({ me, page }: { me: User; page: string }) {
  const t = useT();
  if (me.role !== 'admin') return <Forbidden />;
  const Page = PAGES[page];
  if (!Page) return <NotFound />;
  return (
    <div className="admin-page" data-testid={`admin-${page}`}>
      <Boundary key={page} label={t('error.generic', { message: '' })}>
        <Page api={api} t={t} />
      </Boundary>
    </div>
  );
}
