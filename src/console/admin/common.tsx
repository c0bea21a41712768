/** Small pieces the admin pages share: labelled fields, notices and error wording. */
import { useCallback, useEffect, useId, useState, type ReactNode } from 'react';
import { ApiError } from '../api';
import { hasKey, type T } from '../i18n';
import './admin.css';

/** A server error in the current language: a known code gets its own wording, the rest the server's message. */
export function errorMessage(t: T, error: unknown): string {
  if (error instanceof ApiError || (error && typeof error === 'object' && 'code' in error)) {
    const { code, message } = error as ApiError;
    if (code && hasKey(`error.${code}`)) return t(`error.${code}`);
    return t('error.generic', { message: message || code });
  }
  return t('error.generic', { message: error instanceof Error ? error.message : String(error) });
}

export interface FieldProps {
  label: string;
  /** Renders the control; gets the id to put on it and the ids that describe it. */
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
  help?: ReactNode;
  error?: string | null;
  required?: boolean;
  className?: string;
}

/** A label, a control, help text and an error, tied together with for/aria-describedby. */
export function Field({ label, children, help, error, required, className }: FieldProps) {
  const id = useId();
  const helpId = help ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [helpId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`adm-field${error ? ' adm-field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>
        {label}
        {required ? <span className="adm-required" aria-hidden="true"> *</span> : null}
      </label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {help ? <p id={helpId} className="adm-help">{help}</p> : null}
      {error ? <p id={errorId} className="adm-error-text">{error}</p> : null}
    </div>
  );
}

/** A page-level notice: errors are announced at once (alert), successes politely (status). */
export function Notice({ kind, children, onDismiss, dismissLabel }: { kind: 'error' | 'success' | 'info'; children: ReactNode; onDismiss?: () => void; dismissLabel?: string }) {
  return (
    <div className={`adm-notice adm-notice--${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <span>{children}</span>
      {onDismiss ? (
        <button type="button" className="adm-btn adm-btn--ghost adm-btn--small" onClick={onDismiss} aria-label={dismissLabel}>
          ×
        </button>
      ) : null}
    </div>
  );
}

/** Dates in the reader's locale, short enough for a table cell. */
export function formatDateTime(value: string | Date | null | undefined, lang: string): string {
  if (!value) return '—';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(lang, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/**
 * Data a page shows from one GET: loaded on mount and again whenever `deps` change, or on
 * `reload()`; a failure becomes a message in the current language.
 */
export function useLoader<D>(t: T, fetch: () => Promise<D>, deps: unknown[]) {
  const [data, setData] = useState<D | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const reload = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      setData(await fetch());
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setLoading(false);
    }
    // The caller's deps say when the request changes; `fetch` is a new closure every render.
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

/**
 * A form's save: `saving` while it runs, and a failure as a message in the current language.
 * On success the caller moves on (the form usually closes), so `saving` stays set.
 */
export function useSubmit(t: T) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (save: () => Promise<void>) => {
    setSaving(true);
    setError(null);
    try {
      await save();
    } catch (err) {
      setError(errorMessage(t, err));
      setSaving(false);
    }
  };
  return { saving, error, setError, run };
}
