/**
 * Create / edit form for one channel. The platform part is generated from the kind's field list
 * (GET /api/channel-kinds); the model, handoff and welcome parts are the same for every kind.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { api } from '../api';
import { useT } from '../i18n';
import { buildCreateBody, buildPatchBody, emptyForm, formFromChannel, secretIsSet, type ChannelFormState, type FormErrors } from './channel-form-model';
import { CallbackUrl, kindLabel, TestConnection } from './channel-parts';
import { errorMessage, Field, Notice } from './common';
import { MASKED_SECRET, type ChannelKind, type ChannelView, type KindField, type KindSchema } from './types';

/** When the kinds endpoint is unavailable, an existing channel can still be edited from its own config. */
export function fieldsFromConfig(channel: ChannelView): KindField[] {
  return Object.entries(channel.config).map(([name, value]) => ({
    name,
    label: name,
    required: false,
    type: value === MASKED_SECRET ? 'secret' : Array.isArray(value) ? 'list' : typeof value === 'number' ? 'number' : 'string',
  }));
}

export interface ChannelFormProps {
  kinds: KindSchema[] | null;
  /** The channel being edited; absent when creating one. */
  channel?: ChannelView | null;
  onSaved: (channel: ChannelView, created: boolean) => void;
  onCancel: () => void;
}

export function ChannelForm({ kinds, channel, onSaved, onCancel }: ChannelFormProps) {
  const t = useT();
  const editing = Boolean(channel);
  const [state, setState] = useState<ChannelFormState>(() => emptyForm(kinds?.length === 1 ? kinds[0].kind : ''));
  const [errors, setErrors] = useState<FormErrors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const schema = kinds?.find((k) => k.kind === (channel?.kind ?? state.kind)) ?? null;
  const fields = useMemo(() => schema?.fields ?? (channel ? fieldsFromConfig(channel) : []), [schema, channel]);

  // Load the channel into the form when it or its schema arrives. Not on every change of the
  // channel: flipping a switch in the list must not wipe what the admin is typing here.
  useEffect(() => {
    if (channel) setState(formFromChannel(channel, fields));
  }, [channel?.id, schema]);

  // Keyboard and screen-reader users land on the form's heading when it opens.
  useEffect(() => {
    headingRef.current?.focus();
  }, [channel?.id]);

  // Editing a field clears its message; the rest wait for the next submit.
  const clearError = (key: string) => setErrors((e) => (key in e ? Object.fromEntries(Object.entries(e).filter(([k]) => k !== key)) : e));
  const set = <K extends keyof ChannelFormState>(key: K, value: ChannelFormState[K]) => {
    clearError(key);
    setState((s) => ({ ...s, [key]: value }));
  };
  const setConfig = (name: string, value: string) => {
    clearError(`config.${name}`);
    setState((s) => ({ ...s, config: { ...s.config, [name]: value } }));
  };
  const err = (key: string) => (errors[key] ? t(errors[key]) : null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setServerError(null);
    const built = channel ? buildPatchBody(fields, state, channel) : buildCreateBody(fields, state);
    setErrors(built.errors);
    if (!built.body) {
      // Let React paint the messages, then move focus to the first field that needs work.
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setSaving(true);
    try {
      const saved = channel
        ? await api.patch<ChannelView>(`/api/channels/${encodeURIComponent(channel.id)}`, built.body)
        : await api.post<ChannelView>('/api/channels', built.body);
      // Typed secrets leave the form once stored; their boxes show the "set" placeholder again.
      if (channel) setState(formFromChannel(saved, fields));
      onSaved(saved, !channel);
    } catch (error) {
      setServerError(errorMessage(t, error));
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="adm-panel adm-channel-form" aria-labelledby="adm-channel-form-title">
      <h2 id="adm-channel-form-title" ref={headingRef} tabIndex={-1}>
        {editing ? t('admin.channels.editTitle', { name: channel!.name }) : t('admin.channels.createTitle')}
      </h2>
      {channel ? (
        <div className="adm-callout">
          <CallbackUrl channel={channel} />
          <TestConnection channelId={channel.id} testId="channel-form-test" />
        </div>
      ) : null}
      {!kinds && !channel ? <Notice kind="error">{t('admin.channels.kindsUnavailable')}</Notice> : null}
      {serverError ? <Notice kind="error">{serverError}</Notice> : null}
      <form ref={formRef} onSubmit={submit} noValidate data-testid="channel-form">
        <fieldset className="adm-fieldset">
          <legend>{t('admin.form.basics')}</legend>
          {editing ? (
            <p className="adm-muted">
              {t('admin.channels.kind')}: {kindLabel(t, channel!.kind, kinds)}
            </p>
          ) : (
            <Field label={t('admin.channels.kind')} required error={err('kind')}>
              {({ id, describedBy, invalid }) => (
                <select
                  id={id}
                  name="kind"
                  value={state.kind}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onChange={(e) => {
                    clearError('kind');
                    setState((s) => ({ ...s, kind: e.target.value as ChannelKind, config: {} }));
                  }}
                >
                  <option value="">{t('admin.form.choose')}</option>
                  {(kinds ?? []).map((k) => (
                    <option key={k.kind} value={k.kind}>
                      {kindLabel(t, k.kind, kinds)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <Field label={t('admin.channels.name')} required error={err('name')}>
            {({ id, describedBy, invalid }) => (
              <input id={id} name="name" value={state.name} maxLength={200} autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => set('name', e.target.value)} />
            )}
          </Field>
          {editing ? null : (
            <div className="adm-row">
              <label className="adm-check">
                <input type="checkbox" role="switch" name="enabled" checked={state.enabled} onChange={(e) => set('enabled', e.target.checked)} />
                {t('admin.channels.enabled')}
              </label>
              <label className="adm-check">
                <input type="checkbox" role="switch" name="botEnabled" checked={state.botEnabled} onChange={(e) => set('botEnabled', e.target.checked)} />
                {t('admin.channels.bot')}
              </label>
            </div>
          )}
        </fieldset>

        {fields.length ? (
          <fieldset className="adm-fieldset">
            <legend>{t('admin.form.platform')}</legend>
            {fields.some((f) => f.type === 'secret' && secretIsSet(channel, f.name)) ? <p className="adm-help">{t('admin.form.secretKeep')}</p> : null}
            {fields.map((field) => (
              <ConfigField key={`${state.kind}:${field.name}`} field={field} value={state.config[field.name] ?? ''} onChange={(v) => setConfig(field.name, v)} isSet={secretIsSet(channel, field.name)} error={err(`config.${field.name}`)} />
            ))}
          </fieldset>
        ) : null}

        <fieldset className="adm-fieldset">
          <legend>{t('admin.form.model')}</legend>
          <Field label={t('admin.channels.modelName')} help={t('admin.channels.modelNameHelp')}>
            {({ id, describedBy }) => <input id={id} name="modelName" value={state.modelName} maxLength={200} autoComplete="off" spellCheck={false} aria-describedby={describedBy} onChange={(e) => set('modelName', e.target.value)} />}
          </Field>
          <Field label={t('admin.channels.threshold')} help={t('admin.channels.thresholdHelp')} error={err('threshold')} required>
            {({ id, describedBy, invalid }) => (
              <input id={id} name="threshold" type="number" inputMode="decimal" min={0} max={1} step={0.05} value={state.threshold} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => set('threshold', e.target.value)} />
            )}
          </Field>
          <Field label={t('admin.channels.targetWrongRate')} help={t('admin.channels.targetWrongRateHelp')} error={err('targetWrongRate')}>
            {({ id, describedBy, invalid }) => (
              <input id={id} name="targetWrongRate" type="number" inputMode="decimal" min={0} max={50} step={0.5} placeholder="1" value={state.targetWrongRate} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => set('targetWrongRate', e.target.value)} data-testid="channel-target-wrong-rate" />
            )}
          </Field>
          <Field label={t('admin.channels.systemPrompt')} help={editing ? undefined : t('admin.channels.systemPromptHelp')}>
            {({ id, describedBy }) => <textarea id={id} name="systemPrompt" rows={4} maxLength={8000} value={state.systemPrompt} aria-describedby={describedBy} onChange={(e) => set('systemPrompt', e.target.value)} />}
          </Field>
        </fieldset>

        <fieldset className="adm-fieldset">
          <legend>{t('admin.form.handoff')}</legend>
          <Field label={t('admin.channels.keywords')} help={t('admin.channels.keywordsHelp')}>
            {({ id, describedBy }) => <textarea id={id} name="keywords" rows={3} value={state.keywords} aria-describedby={describedBy} onChange={(e) => set('keywords', e.target.value)} />}
          </Field>
          <Field label={t('admin.channels.assignment')} help={t('admin.channels.assignmentHelp')}>
            {({ id, describedBy }) => (
              <select id={id} name="assignment" value={state.assignment} aria-describedby={describedBy} onChange={(e) => set('assignment', e.target.value === 'auto' ? 'auto' : 'manual')} data-testid="channel-assignment">
                <option value="manual">{t('admin.channels.assignment.manual')}</option>
                <option value="auto">{t('admin.channels.assignment.auto')}</option>
              </select>
            )}
          </Field>
          <Field label={t('admin.channels.holdingMessage')} help={editing ? undefined : t('admin.channels.holdingMessageHelp')} error={err('holdingMessage')} required={editing}>
            {({ id, describedBy, invalid }) => <textarea id={id} name="holdingMessage" rows={2} maxLength={2000} value={state.holdingMessage} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => set('holdingMessage', e.target.value)} />}
          </Field>
          <Field label={t('admin.channels.welcomeMessage')} help={t('admin.channels.welcomeMessageHelp')}>
            {({ id, describedBy }) => <textarea id={id} name="welcomeMessage" rows={2} maxLength={2000} value={state.welcomeMessage} aria-describedby={describedBy} onChange={(e) => set('welcomeMessage', e.target.value)} />}
          </Field>
        </fieldset>

        <div className="adm-actions">
          <button type="submit" className="adm-btn adm-btn--primary" disabled={saving} data-testid="channel-save">
            {saving ? t('admin.form.saving') : editing ? t('admin.form.save') : t('admin.channels.create')}
          </button>
          <button type="button" className="adm-btn" onClick={onCancel}>
            {editing ? t('admin.form.close') : t('admin.form.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}

interface ConfigFieldProps {
  field: KindField;
  value: string;
  onChange: (value: string) => void;
  /** For secrets: the stored channel has a value, so leaving the box empty keeps it. */
  isSet: boolean;
  error: string | null;
}

function ConfigField({ field, value, onChange, isSet, error }: ConfigFieldProps) {
  const t = useT();
  // The generic "one per line" only where the adapter's own help does not already say how (issue 14 item 6).
  const help = field.help || (field.type === 'list' ? t('admin.form.listHelp') : '');
  return (
    <Field label={field.label} required={field.required && !(field.type === 'secret' && isSet)} help={help || undefined} error={error}>
      {({ id, describedBy, invalid }) => {
        const common = { id, name: `config.${field.name}`, 'aria-describedby': describedBy, 'aria-invalid': invalid };
        switch (field.type) {
          case 'secret':
            return (
              <input
                {...common}
                type="password"
                autoComplete="new-password"
                spellCheck={false}
                value={value}
                placeholder={isSet ? t('admin.form.secretSet') : ''}
                onChange={(e) => onChange(e.target.value)}
              />
            );
          case 'list':
            return <textarea {...common} rows={3} spellCheck={false} value={value} onChange={(e) => onChange(e.target.value)} />;
          case 'enum':
            return (
              <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
                {field.required ? null : <option value="">{t('admin.form.default')}</option>}
                {field.required && !value ? <option value="">{t('admin.form.choose')}</option> : null}
                {(field.options ?? []).map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            );
          case 'number':
            return <input {...common} type="text" inputMode="numeric" autoComplete="off" value={value} onChange={(e) => onChange(e.target.value)} />;
          default:
            return <input {...common} type="text" autoComplete="off" spellCheck={false} value={value} onChange={(e) => onChange(e.target.value)} />;
        }
      }}
    </Field>
  );
}
