import { customerEventText, formatClock, formatConfidence, systemNoteText } from '../format';
import { useLang, useT } from '../i18n';
import type { DirectoryUser, FeedbackVerdict, Message, MessageFeedback } from '../types';
import { MessageFeedbackControls } from './MessageFeedback';

const OUTGOING = new Set(['bot', 'agent']);
/** Delivery states worth showing on an outgoing message (`done` is an inbound state). */
const SHOWN_STATUS = new Set(['pending', 'sending', 'sent', 'failed', 'unknown', 'recalled']);

interface Props {
  conversationId: string;
  message: Message;
  users: DirectoryUser[];
  retrying: boolean;
  onRetry: (messageId: string) => void;
  /** What the server last said about this answer (the list, or a feedback just sent). */
  feedback: MessageFeedback | null;
  feedbackBusy: boolean;
  onFeedback: (messageId: string, verdict: FeedbackVerdict, correction: string | null) => Promise<boolean>;
}

/** A bubble per message; handoffs, status changes and platform events as a centred note. */
export function MessageItem({ conversationId, message, users, retrying, onRetry, feedback, feedbackBusy, onFeedback }: Props) {
  const t = useT();
  const { lang } = useLang();
  const time = <time dateTime={message.createdAt}>{formatClock(message.createdAt, lang)}</time>;

  if (message.sender === 'system' || message.kind === 'event') {
    const text = message.sender === 'system' ? systemNoteText(message.text ?? '', t, users) : customerEventText(message, t);
    return (
      <li className="note" data-testid="message" data-sender={message.sender} data-message-id={message.id}>
        <span>{text}</span> {time}
      </li>
    );
  }

  const outgoing = OUTGOING.has(message.sender);
  // issue 15 item 2: a text with an image (图文混排) has media too; a file the platform would not
  // give us is said so instead of a link that cannot open, per file (a 图文混排's other images stay openable).
  const attachment = message.attachment;
  const mediaHref = attachment && (message.kind !== 'text' || attachment.mediaId)
    ? `/api/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(message.id)}/media`
    : null;
  // issue 15 follow-up: a message with several files (a 图文混排's images) gets a link per file (?item=n).
  const mediaIds = attachment?.mediaIds ? attachment.mediaIds.split('\n') : [attachment?.mediaId ?? ''];
  const mediaUnavailable = attachment?.mediaUnavailable ?? null;
  const unavailableIds = new Set(attachment?.mediaUnavailableIds?.split('\n') ?? []);
  // Marked before per-file marks existed: the whole message's files.
  const isUnavailable = (i: number) => mediaUnavailable !== null && (!attachment?.mediaUnavailableIds || unavailableIds.has(mediaIds[i] ?? ''));
  const unavailableNote = (text: string) => <span className="text muted" data-testid="media-unavailable" title={mediaUnavailable ?? undefined}>{text}</span>;
  return (
    <li
      className={`msg from-${message.sender} ${outgoing ? 'out' : 'in'}`}
      data-testid="message"
      data-sender={message.sender}
      data-message-id={message.id}
      data-status={message.status}
    >
      <div className="bubble">
        <div className="meta">
          <span className="sender">{t(`sender.${message.sender}`)}</span>
          {message.sender === 'bot' && message.confidence !== null && (
            <span className={`conf ${message.confidence < 0.5 ? 'low' : ''}`} data-testid="message-confidence">
              {t('confidence.label', { value: formatConfidence(message.confidence) })}
            </span>
          )}
          {time}
        </div>
        {message.text ? <p className="text">{message.text}</p> : <p className="text muted">{t('conv.attachment', { kind: message.kind })}</p>}
        {mediaHref && mediaIds.length === 1 && !isUnavailable(0) && <a href={mediaHref} target="_blank" rel="noopener noreferrer" data-testid="media-link">{t('conv.media')}</a>}
        {mediaHref && mediaIds.length === 1 && isUnavailable(0) && <p>{unavailableNote(t('conv.mediaUnavailable'))}</p>}
        {mediaHref && mediaIds.length > 1 && (
          <p className="media-links">
            {mediaIds.map((_, i) => (
              <span key={i}>
                {i > 0 && ' '}
                {isUnavailable(i)
                  ? unavailableNote(t('conv.mediaItemUnavailable', { n: i + 1 }))
                  : <a href={`${mediaHref}?item=${i}`} target="_blank" rel="noopener noreferrer" data-testid="media-link">{t('conv.mediaItem', { n: i + 1 })}</a>}
              </span>
            ))}
          </p>
        )}
        {outgoing && SHOWN_STATUS.has(message.status) && (
          <div className={`delivery ${message.status}`} data-testid="delivery-status">
            <span>{t(`delivery.${message.status}`)}</span>
            {message.status === 'failed' && message.error && <span className="delivery-error">{message.error}</span>}
            {message.status === 'failed' && (
              <button type="button" className="small" disabled={retrying} onClick={() => onRetry(message.id)} data-testid="retry-button">
                {t('delivery.retry')}
              </button>
            )}
          </div>
        )}
        {/* Only scored answers can be labelled: calibration needs the confidence (issue 12). */}
        {message.sender === 'bot' && message.confidence !== null && (
          <MessageFeedbackControls feedback={feedback} busy={feedbackBusy} onSubmit={(verdict, correction) => onFeedback(message.id, verdict, correction)} />
        )}
      </div>
    </li>
  );
}
