import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api';
import { errorMessage } from '../errors';
import { useEvents } from '../events';
import { formatConfidence, formatDuration, reasonText, statusText, userName } from '../format';
import { useNow } from '../hooks';
import { useT } from '../i18n';
import { hrefFor, useRoute } from '../router';
import { contactLabel } from '../contact-label';
import { ContactPanel } from './ContactPanel';
import type { ConversationDetail, Directory, FeedbackAnswer, FeedbackVerdict, Message, MessageFeedback, User } from '../types';
import { DraftCard, type DraftBusy } from './DraftCard';
import { MessageItem } from './MessageItem';
import { ReplyBox } from './ReplyBox';
import { steppedIn } from '../format';
import { isNote, NoteBox, NoteItem, withNotes } from './NoteBox';
import { StepInBar } from './StepInBar';
import { TransferDialog } from './TransferDialog';

type Action = 'assign' | 'unassign' | 'release' | 'close';

/** The conversation's history, what can be done with it now, and the reply box. */
export function ConversationView({ id, me, directory }: { id: string; me: User; directory: Directory }) {
  const t = useT();
  const now = useNow(1000);
  const [conversation, setConversation] = useState<ConversationDetail | null>(null);
  const [fetchedAt, setFetchedAt] = useState(0);
  const [loadError, setLoadError] = useState<ApiError | Error | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<Action | null>(null);
  const [retrying, setRetrying] = useState<string | null>(null);
  // Verdicts sent from this view, by message id: shown at once, and kept over a reload of the
  // history in case the server's list answers before it has them (issue 12).
  const [sentFeedback, setSentFeedback] = useState<Record<string, MessageFeedback>>({});
  const [feedbackBusy, setFeedbackBusy] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  // Agent assist (issue 13 item 5): the draft being edited in the reply box, and what fills the box.
  const [editingDraft, setEditingDraft] = useState<string | null>(null);
  const [prefill, setPrefill] = useState<{ text: string; key: number } | null>(null);
  const [draftBusy, setDraftBusy] = useState<DraftBusy>(null);
  // issue 14 item 3: the transfer panel is open.
  const [transferring, setTransferring] = useState(false);
  const seen = useRef<Set<string> | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const base = `/api/conversations/${encodeURIComponent(id)}`;
  // load() is made once per conversation; it reads the current language through this ref.
  const tRef = useRef(t);
  tRef.current = t;

  const load = useCallback(async () => {
    try {
      const detail = await api.get<ConversationDetail>(base);
      announceNew(detail.messages);
      setConversation(detail);
      setFetchedAt(Date.now());
      setLoadError(null);
    } catch (err) {
      setLoadError(err as Error);
    }
  }, [base]);

  /** New customer (and bot/agent) messages are read out by screen readers; the first load is not news. */
  function announceNew(messages: Message[]) {
    const fresh = seen.current ? messages.filter((m) => !seen.current!.has(m.id)) : [];
    seen.current = new Set(messages.map((m) => m.id));
    const last = fresh.filter((m) => m.sender !== 'system').at(-1);
    const tr = tRef.current;
    if (last) setAnnouncement(tr('conv.newMessage', { sender: tr(`sender.${last.sender}`), text: last.text ?? tr('conv.attachment', { kind: last.kind }) }));
  }

  useEffect(() => {
    void load();
    return () => { if (timer.current) clearTimeout(timer.current); };
  }, [load]);

  // On a phone the list disappears when a conversation opens: take focus to its heading (once it
  // is loaded, the loading heading is replaced) so keyboard and screen-reader users are not lost.
  const loaded = conversation !== null;
  useEffect(() => {
    if (loaded && window.matchMedia('(max-width: 899px)').matches) heading.current?.focus();
  }, [loaded]);

  useEvents((event) => {
    if (event.type !== 'resync' && (!('conversationId' in event) || event.conversationId !== id)) return;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), 150);
  });

  const count = conversation?.messages.length ?? 0;
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [count]);
  // issue 14 item 2: a new internal note scrolls the timeline too.
  const noteCount = conversation?.notes?.length ?? 0;
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [noteCount]);

  // issue 14 item 1: a visit link (`#/c/<id>?at=<messageId>`) opens the conversation at that
  // visit's first message, marked for a moment; after the scroll-to-bottom above, so it wins.
  const route = useRoute();
  const at = route.name === 'inbox' ? route.at ?? null : null;
  useEffect(() => {
    const scroller = list.current;
    const target = at && scroller ? scroller.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(at)}"]`) : null;
    if (!scroller || !target) return;
    scroller.scrollTop += target.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
    target.classList.add('visit-start');
    const done = setTimeout(() => target.classList.remove('visit-start'), 2500);
    return () => clearTimeout(done);
  }, [at, loaded]);

  async function act(action: Action) {
    setBusy(action);
    setActionError(null);
    try {
      await api.post(`${base}/${action}`);
    } catch (err) {
      setActionError(errorMessage(err, t));
    }
    setBusy(null);
    await load();
  }

  async function retry(messageId: string) {
    setRetrying(messageId);
    setActionError(null);
    try {
      await api.post(`${base}/messages/${encodeURIComponent(messageId)}/retry`);
    } catch (err) {
      setActionError(errorMessage(err, t));
    }
    setRetrying(null);
    await load();
  }

  async function giveFeedback(messageId: string, verdict: FeedbackVerdict, correction: string | null): Promise<boolean> {
    setFeedbackBusy(messageId);
    setActionError(null);
    try {
      const body = correction ? { verdict, correction } : { verdict };
      const saved = await api.post<FeedbackAnswer>(`/api/messages/${encodeURIComponent(messageId)}/feedback`, body);
      setSentFeedback((all) => ({ ...all, [messageId]: { verdict: saved.verdict, correction: saved.correction ?? null } }));
      return true;
    } catch (err) {
      setActionError(errorMessage(err, t));
      return false;
    } finally {
      setFeedbackBusy(null);
    }
  }

  /** While the box holds the bot's draft, sending goes through the draft route (recorded as edited unless unchanged). */
  async function send(text: string): Promise<boolean> {
    setActionError(null);
    const draftId = editingDraft;
    try {
      if (draftId) await api.post(`${base}/draft/send`, { draftId, text });
      else await api.post(`${base}/messages`, { text });
      if (draftId) setEditingDraft(null);
      await load();
      return true;
    } catch (err) {
      setActionError(errorMessage(err, t));
      // Someone else acted on the draft (or a newer one replaced it): what is in the box is now a plain reply.
      if (draftId && err instanceof ApiError && (err.code === 'DRAFT.CLOSED' || err.code === 'DRAFT.NOT_FOUND')) setEditingDraft(null);
      return false;
    }
  }

  async function actOnDraft(action: 'send' | 'discard', draftId: string) {
    setDraftBusy(action);
    setActionError(null);
    try {
      await api.post(`${base}/draft/${action}`, { draftId });
      if (editingDraft === draftId) cancelDraftEdit();
    } catch (err) {
      setActionError(errorMessage(err, t));
    }
    setDraftBusy(null);
    await load();
  }

  function editDraft(draftId: string, text: string) {
    setEditingDraft(draftId);
    setPrefill({ text, key: Date.now() });
  }

  function cancelDraftEdit() {
    setEditingDraft(null);
    setPrefill({ text: '', key: Date.now() });
  }

  const back = (
    <a className="back" href={hrefFor.inbox()} data-testid="back-to-list">← {t('conv.back')}</a>
  );

  if (!conversation) {
    const missing = loadError instanceof ApiError && loadError.status === 404;
    return (
      <div className="conversation">
        <div className="conv-head">{back}<h2 ref={heading} tabIndex={-1}>{missing ? t('conv.notFound') : t('app.loading')}</h2></div>
        {loadError && !missing && <p className="error" role="alert">{errorMessage(loadError, t)}</p>}
      </div>
    );
  }

  const c = conversation;
  const mine = c.status === 'assigned' && c.assigneeId === me.id;
  // A held chat is its holder's (or an admin's) to give back, release, transfer or close (the API answers others 403).
  const mayActOnHeld = mine || me.role === 'admin';
  const channel = directory.channels.find((ch) => ch.id === c.channelId);
  const windowLeft = c.replyWindow ? Math.max(0, c.replyWindow.secondsLeft - Math.floor((now - fetchedAt) / 1000)) : null;
  const windowOpen = !c.replyWindow || (c.replyWindow.open && (windowLeft ?? 0) > 0);
  const waitingFrom = c.status === 'queued' || c.status === 'assigned' ? Date.parse(c.waitingSince ?? c.updatedAt) : NaN;
  const disabledReason = c.status === 'closed' ? t('conv.replyClosed') : !mine ? t('conv.replyDisabled') : !windowOpen ? t('window.closed') : null;

  return (
    <div className="conversation" data-testid="conversation" data-conversation-id={c.id} data-status={c.status}>
      <div className="conv-head">
        {back}
        <div className="who">
          <h2 ref={heading} tabIndex={-1}>{contactLabel(c.contact, t)}</h2>
          <p className="sub">
            <span>{channel?.name ?? c.channelId}</span>
            <span className={`pill status-${c.status}`} data-testid="conversation-status">{statusText(c.status, t)}</span>
            {c.handoffReason && <span className="reason">{reasonText(c.handoffReason, t)}</span>}
            {steppedIn(c) && <span className="reason" data-testid="stepped-in">{t('shift.steppedIn')}</span>}
            {c.lastConfidence !== null && <span className="conf">{t('confidence.label', { value: formatConfidence(c.lastConfidence) })}</span>}
            {!Number.isNaN(waitingFrom) && <span className="waiting">{t('queue.waiting', { time: formatDuration((now - waitingFrom) / 1000, t) })}</span>}
            {c.assigneeId && <span>{t('conv.assignedTo', { name: c.assigneeId === me.id ? t('assignee.me') : userName(c.assigneeId, directory.users) })}</span>}
          </p>
        </div>
        <div className="actions" role="group" aria-label={t('conv.actions')}>
          {c.status === 'queued' && (
            <button type="button" className="primary" disabled={busy !== null} onClick={() => act('assign')} data-testid="take-over">{t('conv.takeOver')}</button>
          )}
          {c.status === 'assigned' && mayActOnHeld && (
            <>
              <button type="button" disabled={busy !== null} onClick={() => act('unassign')} data-testid="give-back">{t('conv.giveBack')}</button>
              <button type="button" disabled={busy !== null} onClick={() => act('release')} data-testid="release">{t('conv.release')}</button>
            </>
          )}
          {c.status === 'assigned' && mayActOnHeld && (
            <button type="button" disabled={busy !== null} aria-expanded={transferring} onClick={() => setTransferring((open) => !open)} data-testid="transfer">{t('shift.transfer')}</button>
          )}
          {c.status !== 'closed' && (c.status !== 'assigned' || mayActOnHeld) && (
            <button type="button" className="danger" disabled={busy !== null} onClick={() => act('close')} data-testid="close-conversation">{t('conv.close')}</button>
          )}
        </div>
      </div>
      <ContactPanel contact={c.contact} conversationId={c.id} directory={directory} at={at} />
      {c.replyWindow && (
        <p className={`window ${windowOpen ? 'open' : 'closed'}`} data-testid="reply-window">
          <strong>{t('window.title')}</strong>{' '}
          {windowOpen ? t('window.open', { time: formatDuration(windowLeft ?? 0, t), n: c.replyWindow.messagesLeft }) : t('window.closed')}
        </p>
      )}
      {channel?.kind === 'wecom_bot' && channel.pollsReplies !== false && <p className="window" data-testid="poll-hint">{t('conv.pollHint')}</p>}
      {transferring && c.status === 'assigned' && mayActOnHeld && (
        <TransferDialog
          conversationId={c.id}
          holderId={c.assigneeId}
          users={directory.users}
          onCancel={() => setTransferring(false)}
          onDone={() => { setTransferring(false); void load(); }}
        />
      )}
      {actionError && (
        <p className="error" role="alert" data-testid="action-error">
          {actionError} <button type="button" className="small" onClick={() => setActionError(null)}>{t('error.dismiss')}</button>
        </p>
      )}
      <ol className="messages" ref={list} aria-label={t('conv.history')} tabIndex={0} data-testid="message-list">
        {c.messages.length === 0 && <li className="note">{t('conv.noMessages')}</li>}
        {withNotes(c.messages, c.notes).map((m) => isNote(m) ? <NoteItem key={`note-${m.id}`} note={m} users={directory.users} /> : (
          <MessageItem
            key={m.id}
            conversationId={c.id}
            message={m}
            users={directory.users}
            retrying={retrying === m.id}
            onRetry={retry}
            feedback={sentFeedback[m.id] ?? m.feedback ?? null}
            feedbackBusy={feedbackBusy === m.id}
            onFeedback={giveFeedback}
          />
        ))}
      </ol>
      <div className="sr-only" aria-live="polite" data-testid="message-announcer">{announcement}</div>
      {c.draft && (c.status === 'queued' || c.status === 'assigned') && (
        <DraftCard
          draft={c.draft}
          canAct={mine}
          busy={draftBusy}
          editing={editingDraft === c.draft.id}
          onSend={() => void actOnDraft('send', c.draft!.id)}
          onEdit={() => editDraft(c.draft!.id, c.draft!.text)}
          onDiscard={() => void actOnDraft('discard', c.draft!.id)}
        />
      )}
      {c.status === 'bot' && <StepInBar busy={busy === 'assign'} onStepIn={() => void act('assign')} />}
      <ReplyBox
        disabled={disabledReason !== null}
        disabledReason={disabledReason}
        onSend={send}
        prefill={prefill}
        editingDraft={editingDraft !== null && editingDraft === c.draft?.id}
        onCancelDraft={cancelDraftEdit}
        quickReplies={{ contact: { ...c.contact, channelKind: channel?.kind }, channelName: channel?.name ?? '', agentName: me.name || me.email, agentId: me.id }}
      />
      <NoteBox conversationId={c.id} onAdded={() => void load()} />
    </div>
  );
}
