import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, onForbidden, onUnauthorized, setCsrfToken } from './api';
import { errorMessage } from './errors';
import { eventHub } from './events';
import { useT } from './i18n';
import { AdminPage, NotFound } from './pages/AdminPage';
import { Header } from './pages/Header';
import { InboxPage } from './pages/InboxPage';
import { LoginPage } from './pages/LoginPage';
import { QuickRepliesPage } from './pages/QuickRepliesPage';
import { TransferNotice } from './pages/TransferDialog';
import { useQueueWatch } from './queue-watch';
import { useRoute } from './router';
import type { SessionAnswer, User } from './types';

type Session = { state: 'loading' } | { state: 'out'; notice?: string } | { state: 'in'; user: User };

/** Finds out who is signed in, then shows the login page or the console. */
export function App() {
  const t = useT();
  const [session, setSession] = useState<Session>({ state: 'loading' });

  useEffect(() => {
    api.get<SessionAnswer>('/api/auth/me').then(
      (answer) => {
        setCsrfToken(answer.csrfToken);
        setSession({ state: 'in', user: answer.user });
      },
      (err) => setSession({ state: 'out', notice: err instanceof ApiError && err.status === 401 ? undefined : errorMessage(err, t) }),
    );
    // Once, at start: `t` only words the notice.
  }, []);

  useEffect(
    () =>
      onUnauthorized(() => {
        setCsrfToken(null);
        setSession((s) => (s.state === 'in' ? { state: 'out', notice: t('error.AUTH.REQUIRED') } : s));
      }),
    [t],
  );

  // A 403 may mean our role changed since sign-in: re-read it, so the admin nav and pages follow.
  useEffect(
    () =>
      onForbidden(() => {
        api.get<SessionAnswer>('/api/auth/me').then(
          (answer) => setSession((s) => (s.state === 'in' && s.user.role !== answer.user.role ? { state: 'in', user: answer.user } : s)),
          () => undefined,
        );
      }),
    [],
  );

  const logout = useCallback(async () => {
    try {
      await api.post('/api/auth/logout');
    } catch {
      // The session may already be gone; either way we forget it here.
    }
    setCsrfToken(null);
    setSession({ state: 'out' });
  }, []);

  useEffect(() => {
    if (session.state !== 'in') document.title = t('app.title');
  }, [session.state, t]);

  if (session.state === 'loading') return <p className="placeholder" role="status">{t('app.loading')}</p>;
  if (session.state === 'out') return <LoginPage notice={session.notice} onLogin={(user) => setSession({ state: 'in', user })} />;
  return <Console user={session.user} onLogout={logout} />;
}

function Console({ user, onLogout }: { user: User; onLogout: () => void }) {
  const route = useRoute();
  const { queued, announcement } = useQueueWatch();

  // The event stream lives exactly as long as the signed-in console.
  useEffect(() => {
    eventHub.start();
    return () => eventHub.stop();
  }, []);

  return (
    <div className={`app route-${route.name}`}>
      <Header user={user} route={route} queued={queued} onLogout={onLogout} />
      <main id="main" tabIndex={-1}>
        {route.name === 'inbox' && <InboxPage me={user} conversationId={route.conversationId} />}
        {route.name === 'admin' && <AdminPage me={user} page={route.page} />}
        {route.name === 'quickReplies' && <QuickRepliesPage me={user} />}
        {route.name === 'notFound' && <NotFound />}
      </main>
      <div className="sr-only" aria-live="assertive" data-testid="queue-announcer">{announcement}</div>
      {/* issue 14 item 3: "小王 转给你一个会话", wherever the agent is. */}
      <TransferNotice me={user} />
    </div>
  );
}
