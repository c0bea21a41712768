import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { useT } from '../i18n';

interface Props {
  disabled: boolean;
  disabledReason: string | null;
  onSend: (text: string) => Promise<boolean>;
}

/** Enter sends, Shift+Enter breaks the line; Enter that confirms an IME candidate (拼音) does neither. */
export function ReplyBox({ disabled, disabledReason, onSend }: Props) {
  const t = useT();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);

  async function send() {
    const trimmed = text.trim();
    if (!trimmed || busy || disabled) return;
    setBusy(true);
    const sent = await onSend(trimmed);
    setBusy(false);
    // Keep the draft when sending failed, so nothing typed is lost.
    if (sent) setText('');
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    void send();
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void send();
  }

  return (
    <form className="reply" onSubmit={onSubmit}>
      <label htmlFor="reply-text" className="sr-only">{t('conv.reply')}</label>
      <textarea
        id="reply-text"
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        disabled={disabled}
        aria-describedby="reply-hint"
        maxLength={4000}
        data-testid="reply-textbox"
      />
      <div className="reply-foot">
        <span id="reply-hint" className="hint">{disabled ? disabledReason : t('conv.replyHint')}</span>
        <button type="submit" className="primary" disabled={disabled || busy || !text.trim()} data-testid="reply-send">
          {busy ? t('conv.sending') : t('conv.send')}
        </button>
      </div>
    </form>
  );
}
