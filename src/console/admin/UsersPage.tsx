/**
 * Users: the list, new users (role + initial password), role changes, disabling, password resets.
 * Role and disabled apply at once on the server (read on every request), so the list PATCHes
 * immediately and shows what the server answered.
 */
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api } from '../api';
import { useLang, useT } from '../i18n';
import { errorMessage, Field, formatDateTime, Notice, useSubmit } from './common';
import type { Role, UserView } from './types';

/** The login rules accept shorter ones from the API; the form asks for something less guessable. */
const MIN_PASSWORD = 8;
const ROLES: Role[] = ['agent', 'admin'];

/** GET /api/users answers {items:[…]}; a bare array is read too. */
const usersOf = (body: { items: UserView[] } | UserView[]) => (Array.isArray(body) ? body : body.items);

export function UsersPage() {
  const t = useT();
  const { lang } = useLang();
  const [users, setUsers] = useState<UserView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setUsers(usersOf(await api.get<{ items: UserView[] } | UserView[]>('/api/users')));
    } catch (err) {
      setError(errorMessage(t, err));
    }
    // `t` only words the error; a language switch must not refetch.
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  async function patch(user: UserView, change: Partial<Pick<UserView, 'role' | 'disabled' | 'name' | 'capacity'>> & { password?: string }, done: string) {
    setBusy(user.id);
    setError(null);
    setNotice(null);
    // Shown at once (a role select that snaps back until the answer reads as broken); undone on failure.
    const { password: _password, ...visible } = change;
    setUsers((list) => list?.map((u) => (u.id === user.id ? { ...u, ...visible } : u)) ?? list);
    try {
      const saved = await api.patch<UserView | { user: UserView }>(`/api/users/${encodeURIComponent(user.id)}`, change);
      const view = 'user' in saved ? saved.user : saved;
      setUsers((list) => list?.map((u) => (u.id === user.id ? { ...u, ...view } : u)) ?? list);
      setNotice(done);
      return true;
    } catch (err) {
      setUsers((list) => list?.map((u) => (u.id === user.id ? user : u)) ?? list);
      setError(errorMessage(t, err));
      return false;
    } finally {
      setBusy(null);
    }
  }

  const display = (u: UserView) => u.name || u.email;

  return (
    <div className="adm-page" data-testid="users-page">
      <header className="adm-page__header">
        <h1>{t('admin.users.title')}</h1>
        <button type="button" className="adm-btn adm-btn--primary" aria-expanded={creating} onClick={() => setCreating((c) => !c)} data-testid="user-new">
          {t('admin.users.new')}
        </button>
      </header>
      {error ? <Notice kind="error" onDismiss={() => setError(null)} dismissLabel={t('error.dismiss')}>{error}</Notice> : null}
      {notice ? <Notice kind="success" onDismiss={() => setNotice(null)} dismissLabel={t('error.dismiss')}>{notice}</Notice> : null}
      {creating ? (
        <CreateUser
          onCancel={() => setCreating(false)}
          onCreated={(user) => {
            setCreating(false);
            setNotice(t('admin.users.created', { email: user.email }));
            void load();
          }}
        />
      ) : null}

      {users === null && !error ? <p className="adm-muted">{t('admin.loading')}</p> : null}
      {users ? (
        <div className="adm-table-wrap">
          <table className="adm-table adm-table--cards" data-testid="users-table">
            <caption className="adm-visually-hidden">{t('admin.users.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.users.name')}</th>
                <th scope="col">{t('admin.users.email')}</th>
                <th scope="col">{t('admin.users.role')}</th>
                <th scope="col">{t('admin.users.capacity')}</th>
                <th scope="col">{t('admin.users.status')}</th>
                <th scope="col">{t('admin.users.lastLogin')}</th>
                <th scope="col">{t('admin.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id} className={user.disabled ? 'adm-row--muted' : undefined} data-testid="user-row" data-user-id={user.id}>
                  <th scope="row" data-label={t('admin.users.name')}>
                    {user.name || '—'}
                  </th>
                  <td data-label={t('admin.users.email')}>{user.email}</td>
                  <td data-label={t('admin.users.role')}>
                    <select
                      aria-label={t('admin.users.roleOf', { name: display(user) })}
                      value={user.role}
                      aria-busy={busy === user.id}
                      data-testid="user-role"
                      onChange={(e) => {
                        const role = e.target.value as Role;
                        void patch(user, { role }, t('admin.users.roleChanged', { name: display(user), role: t(`role.${role}`) }));
                      }}
                    >
                      {ROLES.map((role) => (
                        <option key={role} value={role}>
                          {t(`role.${role}`)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td data-label={t('admin.users.capacity')}>
                    <CapacityInput
                      value={user.capacity ?? DEFAULT_CAPACITY}
                      label={t('admin.users.capacityOf', { name: display(user) })}
                      busy={busy === user.id}
                      onInvalid={() => setError(t('admin.users.capacityRange'))}
                      onSave={(capacity) => void patch(user, { capacity }, t('admin.users.capacityChanged', { name: display(user), n: capacity }))}
                    />
                  </td>
                  <td data-label={t('admin.users.status')}>
                    <span className={`adm-pill ${user.disabled ? 'adm-pill--off' : 'adm-pill--on'}`}>{user.disabled ? t('admin.users.disabled') : t('admin.users.active')}</span>
                  </td>
                  <td data-label={t('admin.users.lastLogin')}>{formatDateTime(user.lastLoginAt, lang)}</td>
                  <td data-label={t('admin.actions')}>
                    <div className="adm-row adm-row--tight">
                      <button
                        type="button"
                        className={`adm-btn adm-btn--small${user.disabled ? '' : ' adm-btn--danger'}`}
                        disabled={busy === user.id}
                        data-testid="user-disable"
                        aria-label={t(user.disabled ? 'admin.users.enableLabel' : 'admin.users.disableLabel', { name: display(user) })}
                        onClick={() => {
                          if (!user.disabled && !window.confirm(t('admin.users.confirmDisable', { name: display(user) }))) return;
                          void patch(user, { disabled: !user.disabled }, t(user.disabled ? 'admin.users.enabledDone' : 'admin.users.disabledDone', { name: display(user) }));
                        }}
                      >
                        {user.disabled ? t('admin.users.enable') : t('admin.users.disable')}
                      </button>
                      <button
                        type="button"
                        className="adm-btn adm-btn--small"
                        aria-expanded={resetting === user.id}
                        data-testid="user-reset"
                        aria-label={t('admin.users.resetLabel', { name: display(user) })}
                        onClick={() => setResetting((r) => (r === user.id ? null : user.id))}
                      >
                        {t('admin.users.resetPassword')}
                      </button>
                    </div>
                    {resetting === user.id ? (
                      <ResetPassword
                        onCancel={() => {
                          setResetting(null);
                          requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-user-id="${CSS.escape(user.id)}"] [data-testid="user-reset"]`)?.focus());
                        }}
                        onSubmit={async (password) => {
                          if (await patch(user, { password }, t('admin.users.passwordChanged', { name: display(user) }))) setResetting(null);
                        }}
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

/** issue 14 item 4: the open chats auto-assignment gives a user at most; saved on blur or Enter. */
const DEFAULT_CAPACITY = 5;
const MAX_CAPACITY = 100;

function CapacityInput({ value, label, busy, onSave, onInvalid }: { value: number; label: string; busy: boolean; onSave: (n: number) => void; onInvalid: () => void }) {
  const t = useT();
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const commit = () => {
    const n = Number(text.trim());
    if (text.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_CAPACITY) {
      setText(String(value));
      onInvalid();
      return;
    }
    if (n !== value) onSave(n);
  };
  return (
    <input
      className="adm-capacity"
      type="number"
      inputMode="numeric"
      min={1}
      max={MAX_CAPACITY}
      step={1}
      value={text}
      aria-label={label}
      title={t('admin.users.capacityHelp')}
      aria-busy={busy}
      data-testid="user-capacity"
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          commit();
        }
      }}
    />
  );
}

function ResetPassword({ onSubmit, onCancel }: { onSubmit: (password: string) => Promise<void>; onCancel: () => void }) {
  const t = useT();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <form
      className="adm-inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (password.length < MIN_PASSWORD) return setError(t('admin.users.passwordTooShort', { min: MIN_PASSWORD }));
        void onSubmit(password);
      }}
    >
      <Field label={t('admin.users.newPassword')} error={error} help={t('admin.users.passwordHelp')}>
        {({ id, describedBy, invalid }) => <input ref={input} id={id} type="password" autoComplete="new-password" value={password} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setPassword(e.target.value)} />}
      </Field>
      <div className="adm-actions">
        <button type="submit" className="adm-btn adm-btn--primary adm-btn--small">
          {t('admin.form.save')}
        </button>
        <button type="button" className="adm-btn adm-btn--small" onClick={onCancel}>
          {t('admin.form.cancel')}
        </button>
      </div>
    </form>
  );
}

function CreateUser({ onCreated, onCancel }: { onCreated: (user: UserView) => void; onCancel: () => void }) {
  const t = useT();
  const [form, setForm] = useState({ email: '', name: '', role: 'agent' as Role, password: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { saving, error: serverError, run } = useSubmit(t);
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => heading.current?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!/^[^\s@]+@[^\s@]+$/.test(form.email.trim())) found.email = t('admin.users.badEmail');
    if (form.password.length < MIN_PASSWORD) found.password = t('admin.users.passwordTooShort', { min: MIN_PASSWORD });
    setErrors(found);
    if (Object.keys(found).length) {
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    await run(async () => {
      const created = await api.post<UserView | { user: UserView }>('/api/users', { email: form.email.trim(), role: form.role, password: form.password, ...(form.name.trim() ? { name: form.name.trim() } : {}) });
      onCreated('user' in created ? created.user : created);
    });
  }

  return (
    <section className="adm-panel" aria-labelledby={headingId}>
      <h2 id={headingId} ref={heading} tabIndex={-1}>
        {t('admin.users.new')}
      </h2>
      {serverError ? <Notice kind="error">{serverError}</Notice> : null}
      <form ref={formRef} className="adm-grid-form" onSubmit={submit} noValidate data-testid="user-create-form">
        <Field label={t('admin.users.email')} required error={errors.email}>
          {({ id, describedBy, invalid }) => <input id={id} type="email" autoComplete="off" value={form.email} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setForm({ ...form, email: e.target.value })} />}
        </Field>
        <Field label={t('admin.users.name')}>
          {({ id }) => <input id={id} autoComplete="off" value={form.name} maxLength={200} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
        </Field>
        <Field label={t('admin.users.role')} required>
          {({ id }) => (
            <select id={id} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {t(`role.${role}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('admin.users.password')} required error={errors.password} help={t('admin.users.passwordHelp')}>
          {({ id, describedBy, invalid }) => <input id={id} type="password" autoComplete="new-password" value={form.password} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setForm({ ...form, password: e.target.value })} />}
        </Field>
        <div className="adm-actions adm-span">
          <button type="submit" className="adm-btn adm-btn--primary" disabled={saving}>
            {saving ? t('admin.form.saving') : t('admin.users.create')}
          </button>
          <button type="button" className="adm-btn" onClick={onCancel}>
            {t('admin.form.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
