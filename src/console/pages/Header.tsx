import { LANGS, useLang, useT } from '../i18n';
import { useSound } from '../notify';
import { hrefFor, type Route } from '../router';
import type { User } from '../types';
import { PresenceSelect } from './PresenceSelect';

export const ADMIN_PAGES = ['dashboard', 'channels', 'knowledge', 'models', 'users', 'audit'] as const;

/** Who is signed in, the language and sound switches, logout, and (admins only) the admin pages. */
export function Header({ user, route, queued, onLogout }: { user: User; route: Route; queued: number; onLogout: () => void }) {
  const t = useT();
  const { lang, setLang } = useLang();
  const [sound, setSound] = useSound();
  const current = route.name === 'admin' ? route.page : route.name === 'inbox' ? 'inbox' : '';
  const link = (page: string, href: string, label: string, badge?: number) => (
    <li key={page}>
      <a href={href} aria-current={current === page ? 'page' : undefined} data-testid={`nav-${page}`}>
        {label}
        {badge ? (
          <>
            <span className="badge" aria-hidden="true">{badge}</span>
            <span className="sr-only">{t('notify.announce', { n: badge })}</span>
          </>
        ) : null}
      </a>
    </li>
  );

  return (
    <header className="topbar">
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>{t('app.skip')}</a>
      <span className="brand">{t('app.title')}</span>
      <nav aria-label={t('nav.label')}>
        <ul>
          {link('inbox', hrefFor.inbox(), t('nav.inbox'), queued)}
          {/* issue 14 item 3: quick replies, for agents and admins alike. */}
          <li key="quickReplies">
            <a href={hrefFor.quickReplies()} aria-current={route.name === 'quickReplies' ? 'page' : undefined} data-testid="nav-quick-replies">{t('nav.quickReplies')}</a>
          </li>
          {user.role === 'admin' && ADMIN_PAGES.map((page) => link(page, hrefFor.admin(page), t(`nav.${page}`)))}
        </ul>
      </nav>
      <div className="tools">
        {/* issue 14 item 4: whether I take new chats (在线 / 离开 / 离线). */}
        <PresenceSelect user={user} quiet={route.name === 'admin'} />
        <label className="check" title={t('header.soundHint')}>
          <input type="checkbox" checked={sound} onChange={(e) => setSound(e.target.checked)} data-testid="sound-toggle" />
          {t('header.sound')}
        </label>
        <label className="sr-only" htmlFor="header-lang">{t('header.language')}</label>
        <select id="header-lang" value={lang} onChange={(e) => setLang(e.target.value as typeof lang)} data-testid="lang-select">
          {LANGS.map((l) => <option key={l.value} value={l.value}>{l.label}</option>)}
        </select>
        <span className="who" data-testid="current-user">
          {user.name || user.email} <span className="role">{t(`role.${user.role}`)}</span>
        </span>
        <button type="button" onClick={onLogout} data-testid="logout">{t('header.logout')}</button>
      </div>
    </header>
  );
}
