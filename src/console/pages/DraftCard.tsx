/**
 * Agent assist (issue 13 item 5): above the reply box, the answer the bot did not dare send when it
 * handed the chat off for low confidence. The agent holding the chat sends it as is, takes it into
 * the reply box to edit (sent from there, it is recorded as edited), or discards it; what they did
 * is stored with the draft and sent drafts become training pairs. Before the chat is taken over the
 * draft is shown read-only, so the agent can judge it before 接管.
 */
import { useId } from 'react';
import { formatConfidence } from '../format';
import { useT } from '../i18n';
import type { AgentDraft } from '../types';

export type DraftBusy = 'send' | 'discard' | null;

interface Props {
  draft: AgentDraft;
  /** The agent holds the chat: the actions are offered. */
  canAct: boolean;
  busy: DraftBusy;
  /** The draft is in the reply box being edited: sending it as is would bypass the edit. */
  editing: boolean;
  onSend: () => void;
  onEdit: () => void;
  onDiscard: () => void;
}

export function DraftCard({ draft, canAct, busy, editing, onSend, onEdit, onDiscard }: Props) {
  const t = useT();
  const titleId = useId();
  const disabled = busy !== null;
  return (
    <section className={`draft-card${canAct ? '' : ' read-only'}`} aria-labelledby={titleId} data-testid="draft-card" data-draft-id={draft.id}>
      <div className="draft-head">
        <h3 id={titleId}>{t('draft.title')}</h3>
        <span className="conf" data-testid="draft-confidence">{t('confidence.label', { value: formatConfidence(draft.confidence) })}</span>
        <span className="draft-hint">{canAct ? t('draft.hint') : t('draft.takeOverHint')}</span>
      </div>
      <p className="draft-text" aria-label={t('draft.region')} data-testid="draft-text">{draft.text}</p>
      {canAct && (
        <div className="draft-actions" role="group" aria-label={t('draft.region')}>
          <button type="button" className="small primary" aria-label={t('draft.sendLabel')} disabled={disabled || editing} onClick={onSend} data-testid="draft-send">
            {busy === 'send' ? t('draft.sending') : t('draft.send')}
          </button>
          <button type="button" className="small" aria-label={t('draft.editLabel')} aria-pressed={editing} disabled={disabled} onClick={onEdit} data-testid="draft-edit">
            {t('draft.edit')}
          </button>
          <button type="button" className="small" aria-label={t('draft.discardLabel')} disabled={disabled} onClick={onDiscard} data-testid="draft-discard">
            {t('draft.discard')}
          </button>
        </div>
      )}
    </section>
  );
}
