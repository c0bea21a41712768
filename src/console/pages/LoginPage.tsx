import { useState, type FormEvent } from 'react';
import { api, setCsrfToken } from '../api';
import { errorMessage } from '../errors';
import { LANGS, useLang, useT } from '../i18n';
import type { SessionAnswer, User } from '../types';

/** Email and password; a wrong password, a rate limit or a dead server is said in words. */
export function LoginPage({ onLogin, notice }: { onLogin: (user: User) => void; notice?: string }) {
  const t = useT();
  const { lang, setLang } = useLang();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api.post<SessionAnswer>('/api/auth/login', { email: email.trim(), password });
      setCsrfToken(answer.csrfToken);
      onLogin(answer.user);
    } catch (err) {
      setError(errorMessage(err, t));
      setBusy(false);
    }
  }

  return (
    <main className="login" id="main">
      <form className="login-card" onSubmit={submit} data-testid="login-form" aria-labelledby="login-title">
        <h1 id="login-title">{t('login.title')}</h1>
        {notice && !error && <p className="notice">{notice}</p>}
        <div className="field">
          <label htmlFor="login-email">{t('login.email')}</label>
          <input id="login-email" name="email" type="email" autoComplete="username" required autoFocus value={email}
            onChange={(e) => setEmail(e.target.value)} data-testid="login-email" />
        </div>
        <div className="field">
          <label htmlFor="login-password">{t('login.password')}</label>
          <input id="login-password" name="password" type="password" autoComplete="current-password" required value={password}
            onChange={(e) => setPassword(e.target.value)} data-testid="login-password" />
        </div>
        {error && <p className="error" role="alert" data-testid="login-error">{error}</p>}
        <button type="submit" className="primary" disabled={busy} data-testid="login-submit">
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
        <div className="field inline">
          <label htmlFor="login-lang">{t('header.language')}</label>
          <select id="login-lang" value={lang} onChange={(e) => setLang(e.target.value as typeof lang)}>
            {LANGS.map((l) => <option key={l.value} value={l.value}>{l.label}</option>)}
          </select>
        </div>
      </form>
    </main>
  );
}
