import { css } from './styles.js';
import type { Strings } from './strings.js';
import type { Sender } from './transport.js';

/** Builds elements from text only: nothing a visitor, agent or model wrote is ever parsed as HTML. */
function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function chatIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2zM7 9h10v2H7zm0-3h10v2H7zm0 6h7v2H7z');
  svg.appendChild(path);
  return svg;
}

/** `paused`: the channel is disabled; the stream may still be up (issue 14 item 5). */
export type ConnectionState = 'connecting' | 'online' | 'offline' | 'paused';

export interface View {
  host: HTMLElement;
  isOpen(): boolean;
  setOpen(open: boolean): void;
  setState(state: ConnectionState): void;
  /** The channel's offline message under the header while paused; null hides it. */
  setPauseNote(text: string | null): void;
  has(key: string): boolean;
  /** Adds a message bubble; `first` puts it above those shown so far (history arriving late). */
  add(key: string, from: Sender, text: string, first?: boolean): void;
  /** `why` replaces the generic "not sent" note of a failed message; `held` waits for a paused chat to resume. */
  setSending(key: string, state: 'sending' | 'sent' | 'failed' | 'held', retry?: () => void, why?: string): void;
  markUnread(): void;
}

export function createView(t: Strings, title: string, handlers: { onOpen(): void; onSubmit(text: string): void }): View {
  const host = document.createElement('kefu-bridge-chat');
  const shadow = host.attachShadow({ mode: 'open' });
  // A constructed sheet is not an inline <style>, so a shop's strict style-src CSP does not block it.
  if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
  } else {
    shadow.appendChild(el('style', '', css));
  }

  const root = el('div', 'root');
  const panelId = 'kefu-bridge-panel';

  const bubble = el('button', 'bubble');
  bubble.type = 'button';
  bubble.setAttribute('aria-label', t.open);
  bubble.setAttribute('aria-expanded', 'false');
  bubble.setAttribute('aria-controls', panelId);
  const badge = el('span', 'badge');
  badge.hidden = true;
  bubble.append(chatIcon(), badge);

  const panel = el('section', 'panel');
  panel.id = panelId;
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', title);

  const head = el('div', 'head');
  const heading = el('div', 'heading');
  const state = el('span', 'state', t.connecting);
  state.dataset.state = 'connecting';
  state.setAttribute('role', 'status');
  heading.append(el('span', 'title', title), state);
  const close = el('button', 'close', '×');
  close.type = 'button';
  close.setAttribute('aria-label', t.close);
  head.append(heading, close);

  const pause = el('p', 'pause');
  pause.hidden = true;
  pause.setAttribute('role', 'status');

  const log = el('div', 'log');
  log.setAttribute('role', 'log');
  log.setAttribute('aria-live', 'polite');
  log.append(el('div', 'msg greeting', t.greeting));

  const form = el('form', 'form');
  const input = el('textarea', 'input');
  input.id = 'kefu-bridge-input';
  input.rows = 1;
  input.maxLength = 2000;
  input.placeholder = t.placeholder;
  const label = el('label', 'label', t.inputLabel);
  label.htmlFor = input.id;
  const send = el('button', 'send', t.send);
  send.type = 'submit';
  form.append(label, input, send);

  panel.append(head, pause, log, form);
  root.append(panel, bubble);
  shadow.append(root);

  const items = new Map<string, HTMLElement>();
  let open = false;

  const scrollDown = () => {
    log.scrollTop = log.scrollHeight;
  };
  // Taller with each line typed, up to the CSS max-height; back to one line when emptied.
  const grow = () => {
    input.style.height = '';
    if (input.value) input.style.height = `${Math.min(input.scrollHeight + 2, 120)}px`;
  };
  const submit = () => {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    grow();
    handlers.onSubmit(text);
  };

  const view: View = {
    host,
    isOpen: () => open,
    setOpen(next) {
      open = next;
      panel.hidden = !next;
      root.classList.toggle('open', next);
      bubble.setAttribute('aria-expanded', String(next));
      if (next) {
        badge.hidden = true;
        bubble.setAttribute('aria-label', t.open);
        handlers.onOpen();
        scrollDown();
        input.focus();
      }
    },
    setState(next) {
      state.dataset.state = next;
      state.textContent = t[next];
    },
    setPauseNote(text) {
      pause.hidden = text === null;
      pause.textContent = text ?? '';
    },
    has: (key) => items.has(key),
    add(key, from, text, first = false) {
      if (items.has(key)) return;
      const item = el('div', `msg ${from}`);
      if (from !== 'visitor') item.append(el('span', 'who', from === 'agent' ? t.agent : t.bot));
      item.append(document.createTextNode(text));
      items.set(key, item);
      const firstMessage = log.children[1];
      if (first && firstMessage) log.insertBefore(item, firstMessage);
      else log.append(item);
      scrollDown();
    },
    setSending(key, next, retry, why) {
      const item = items.get(key);
      if (!item) return;
      item.classList.toggle('sending', next === 'sending');
      item.classList.toggle('failed', next === 'failed');
      item.classList.toggle('held', next === 'held');
      item.querySelector('.note')?.remove();
      if (next !== 'sent') {
        const note = el('span', 'note', next === 'sending' ? t.sending : next === 'held' ? t.held : (why ?? t.failed));
        if (next === 'failed' && retry) {
          const again = el('button', 'retry', t.retry);
          again.type = 'button';
          again.addEventListener('click', retry);
          note.append(again);
        }
        item.append(note);
      }
    },
    markUnread() {
      if (open) return;
      badge.hidden = false;
      bubble.setAttribute('aria-label', t.openUnread);
    },
  };

  bubble.addEventListener('click', () => view.setOpen(!open));
  close.addEventListener('click', () => {
    view.setOpen(false);
    bubble.focus();
  });
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      view.setOpen(false);
      bubble.focus();
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  input.addEventListener('input', grow);
  input.addEventListener('keydown', (e) => {
    // Enter while an IME is composing (pinyin) picks a candidate; it must not send.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  });
  return view;
}
