import { useT } from '../i18n';

/**
 * In a chat the bot is handling (issue 14 item 2): what is going on, and 接管 where the reply box
 * used to say only 接管会话后才能回复. Stepping in silences the bot at once (bot → assigned).
 */
export function StepInBar({ busy, onStepIn }: { busy: boolean; onStepIn: () => void }) {
  const t = useT();
  return (
    <div className="step-in-bar" data-testid="step-in-bar">
      <p>
        <strong>{t('shift.botHandling')}</strong> <span className="hint">{t('shift.stepInHint')}</span>
      </p>
      <button type="button" className="primary" disabled={busy} onClick={onStepIn} aria-label={t('shift.stepInLabel')} data-testid="step-in">
        {busy ? t('shift.steppingIn') : t('shift.stepIn')}
      </button>
    </div>
  );
}
