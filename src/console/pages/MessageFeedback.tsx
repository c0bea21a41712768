/**
 * 👍 / 👎 under a bot answer (issue 12): an agent's verdict labels the turn for confidence
 * calibration, and a 👎 with a corrected answer becomes a knowledge suggestion for an admin.
 * Offered in every conversation status: a closed chat's answers are still worth labelling.
 */
import { useId, useState, type FormEvent } from 'react';
import { useT } from '../i18n';
import type { FeedbackVerdict, MessageFeedback } from '../types';

/** The server caps a correction like a knowledge answer (src/console/admin/KnowledgePage.tsx, output). */
const MAX_CORRECTION = 8000;

interface Props {
  feedback: MessageFeedback | null;
  busy: boolean;
  /** Resolves true when the server stored it (the form then closes). */
  onSubmit: (verdict: FeedbackVerdict, correction: string | null) => Promise<boolean>;
}

export function MessageFeedbackControls({ feedback, busy, onSubmit }: Props) {
  const t = useT();
  const id = useId();
  const [correcting, setCorrecting] = useState(false);
  const [correction, setCorrection] = useState('');

  function openCorrection() {
    // A second 👎 edits the stored correction rather than starting from nothing.
    setCorrection(feedback?.verdict === 'bad' ? (feedback.correction ?? '') : '');
    setCorrecting(true);
  }

  async function good() {
    setCorrecting(false);
    await onSubmit('good', null);
  }

  async function submitBad(event: FormEvent) {
    event.preventDefault();
    const text = correction.trim();
    if (await onSubmit('bad', text || null)) setCorrecting(false);
  }

  return (
    <div className="feedback" data-testid="feedback" data-verdict={feedback?.verdict ?? ''}>
      <div className="feedback-row">
        <button
          type="button"
          className="small feedback-button"
          aria-label={t('feedback.good')}
          title={t('feedback.good')}
          aria-pressed={feedback?.verdict === 'good'}
          disabled={busy}
          onClick={() => void good()}
          data-testid="feedback-good"
        >
          {/* The word too: the emoji alone is a box where no emoji font is installed. */}
          <span aria-hidden="true">👍</span> {t('feedback.goodShort')}
        </button>
        <button
          type="button"
          className="small feedback-button"
          aria-label={t('feedback.bad')}
          title={t('feedback.bad')}
          aria-pressed={feedback?.verdict === 'bad'}
          aria-expanded={correcting}
          aria-controls={correcting ? `${id}-form` : undefined}
          disabled={busy}
          onClick={() => (correcting ? setCorrecting(false) : openCorrection())}
          data-testid="feedback-bad"
        >
          <span aria-hidden="true">👎</span> {t('feedback.badShort')}
        </button>
        {feedback && (
          <span className={`feedback-state ${feedback.verdict}`} role="status" data-testid="feedback-state">
            {t(feedback.verdict === 'good' ? 'feedback.markedGood' : 'feedback.markedBad')}
          </span>
        )}
      </div>
      {feedback?.verdict === 'bad' && feedback.correction && !correcting && (
        <p className="feedback-correction" data-testid="feedback-correction">
          <span className="feedback-tag">{t('feedback.correctionShown')}</span>
          {feedback.correction}
        </p>
      )}
      {correcting && (
        <form id={`${id}-form`} className="feedback-form" onSubmit={submitBad} onKeyDown={(e) => e.key === 'Escape' && setCorrecting(false)} data-testid="feedback-form">
          <label htmlFor={`${id}-text`}>{t('feedback.correction')}</label>
          <textarea
            id={`${id}-text`}
            rows={3}
            maxLength={MAX_CORRECTION}
            value={correction}
            placeholder={t('feedback.correctionPlaceholder')}
            onChange={(e) => setCorrection(e.target.value)}
            autoFocus
            data-testid="feedback-correction-input"
          />
          <div className="feedback-actions">
            <button type="button" className="small" onClick={() => setCorrecting(false)}>{t('feedback.cancel')}</button>
            <button type="submit" className="small primary" disabled={busy} data-testid="feedback-submit">{t('feedback.submit')}</button>
          </div>
        </form>
      )}
    </div>
  );
}
