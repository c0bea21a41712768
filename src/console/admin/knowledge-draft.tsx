/** The question / context / answer fields of a knowledge entry, shared by the entry editor and the suggestion review. */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useT } from '../i18n';
import { Field, Notice, useSubmit } from './common';
import { TRAINING_STAGES, type TrainingStage } from './types';

export interface Draft {
  instruction: string;
  input: string;
  output: string;
  /** Knowledge entries have one (issue 13 item 1); suggestion reviews leave it out, and show no select. */
  stage?: TrainingStage;
}

export function DraftFields({ draft, onChange }: { draft: Draft; onChange: (d: Draft) => void }) {
  const t = useT();
  return (
    <>
      <Field label={t('admin.knowledge.instruction')} required help={t('admin.knowledge.instructionHelp')}>
        {({ id, describedBy }) => <textarea id={id} rows={2} maxLength={2000} required value={draft.instruction} aria-describedby={describedBy} onChange={(e) => onChange({ ...draft, instruction: e.target.value })} />}
      </Field>
      <Field label={t('admin.knowledge.input')} help={t('admin.knowledge.inputHelp')}>
        {({ id, describedBy }) => <textarea id={id} rows={2} maxLength={2000} value={draft.input} aria-describedby={describedBy} onChange={(e) => onChange({ ...draft, input: e.target.value })} />}
      </Field>
      <Field label={t('admin.knowledge.output')} required>
        {({ id }) => <textarea id={id} rows={4} maxLength={8000} required value={draft.output} onChange={(e) => onChange({ ...draft, output: e.target.value })} />}
      </Field>
      {draft.stage !== undefined ? (
        <Field label={t('admin.knowledge.stage')} help={t('admin.knowledge.stageHelp')}>
          {({ id, describedBy }) => (
            <select id={id} value={draft.stage} aria-describedby={describedBy} data-testid="knowledge-stage" onChange={(e) => onChange({ ...draft, stage: e.target.value as TrainingStage })}>
              {TRAINING_STAGES.map((s) => (
                <option key={s} value={s}>
                  {t(`admin.knowledge.stage.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
    </>
  );
}

export const complete = (d: Draft) => d.instruction.trim() !== '' && d.output.trim() !== '';

/** An entry draft in a form: focus on the first field, Esc cancels, incomplete drafts are refused. */
export function DraftForm(props: {
  initial: Draft;
  onSubmit: (draft: Draft) => Promise<void>;
  onCancel: () => void;
  submitLabel: string;
  testId: string;
  submitTestId?: string;
  note?: ReactNode;
}) {
  const t = useT();
  const [draft, setDraft] = useState<Draft>(props.initial);
  const { saving, error, setError, run } = useSubmit(t);
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    formRef.current?.querySelector('textarea')?.focus();
  }, []);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!complete(draft)) return setError(t('admin.knowledge.incomplete'));
    await run(() => props.onSubmit(draft));
  }
  return (
    <form ref={formRef} className="adm-kb-edit" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && props.onCancel()} data-testid={props.testId}>
      {props.note}
      {error ? <Notice kind="error">{error}</Notice> : null}
      <DraftFields draft={draft} onChange={setDraft} />
      <div className="adm-actions">
        <button type="submit" className="adm-btn adm-btn--primary" disabled={saving} data-testid={props.submitTestId}>
          {saving ? t('admin.form.saving') : props.submitLabel}
        </button>
        <button type="button" className="adm-btn" onClick={props.onCancel}>
          {t('admin.form.cancel')}
        </button>
      </div>
    </form>
  );
}
