/**
 * 上传评估报告 (issue 13 item 4): the JSON file `npm run eval -- --model NAME --report FILE` wrote,
 * sent as is to POST /api/models/:name/reports. The adapter is taken from the file's "model" when
 * it has one (a report of an adapter the node does not list yet can still be stored), else chosen.
 * The browser only peeks at the file: the server judges it, and its 400 message is what the admin
 * reads, so the rules live in one place.
 */
import { useId, useRef, useState, type FormEvent } from 'react';
import { api } from '../api';
import { useT } from '../i18n';
import { errorMessage, Field, Notice } from './common';

/** The report's "model", when the text is a JSON object that names one. */
function modelOf(text: string): string | null {
  try {
    const parsed: unknown = JSON.parse(text);
    const model = parsed && typeof parsed === 'object' ? (parsed as { model?: unknown }).model : undefined;
    return typeof model === 'string' && model.trim() ? model : null;
  } catch {
    return null;
  }
}

export function ReportUpload({ adapters, onUploaded }: { adapters: string[]; onUploaded: () => void }) {
  const t = useT();
  const selectId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [adapter, setAdapter] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function choose(chosen: File | null) {
    setError(null);
    setNotice(null);
    setFile(chosen);
    const named = chosen ? modelOf(await chosen.text()) : null;
    if (named) setAdapter(named);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return setError(t('admin.knowledge.chooseFile'));
    const text = await file.text();
    // Submitted before the peek in choose() finished: the file's own name for the adapter.
    const name = adapter || modelOf(text);
    if (!name) return setError(t('admin.models.upload.chooseAdapter'));
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const response = await api.raw(`/api/models/${encodeURIComponent(name)}/reports`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: text,
      });
      if (!response.ok) throw await api.errorOf(response);
      setNotice(t('admin.models.upload.done', { name }));
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
      onUploaded();
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  }

  const options = adapter && !adapters.includes(adapter) ? [...adapters, adapter] : adapters;
  return (
    <details className="adm-calibration" data-testid="report-upload">
      <summary>{t('admin.models.upload.title')}</summary>
      <p className="adm-help">{t('admin.models.upload.help')}</p>
      <form className="adm-toolbar" onSubmit={submit} data-testid="report-upload-form">
        <Field label={t('admin.models.upload.file')} className="adm-grow">
          {({ id }) => <input id={id} ref={fileInput} type="file" accept=".json,application/json" onChange={(e) => void choose(e.target.files?.[0] ?? null)} data-testid="report-upload-file" />}
        </Field>
        <div className="adm-field">
          <label htmlFor={selectId}>{t('admin.models.upload.adapter')}</label>
          <select id={selectId} value={adapter} onChange={(e) => setAdapter(e.target.value)} data-testid="report-upload-adapter">
            <option value="">{t('admin.form.choose')}</option>
            {options.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="adm-btn adm-btn--primary" disabled={busy} aria-busy={busy} data-testid="report-upload-submit">
          {busy ? t('admin.models.upload.uploading') : t('admin.models.upload.submit')}
        </button>
      </form>
      {error ? <Notice kind="error" onDismiss={() => setError(null)} dismissLabel={t('error.dismiss')}>{error}</Notice> : null}
      {notice ? <Notice kind="success" onDismiss={() => setNotice(null)} dismissLabel={t('error.dismiss')}>{notice}</Notice> : null}
    </details>
  );
}
