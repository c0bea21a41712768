/**
 * How a newly flagged chat announces itself: a "(N) …" badge in the tab title and, if the agent
 * turned it on (off by default, remembered in localStorage), a short WebAudio beep. A chat another
 * person hands to this agent (a transfer, issue 14 item 3) says so: "小王 转给你一个会话".
 */
import { useCallback, useRef, useState, useSyncExternalStore } from 'react';
import { api } from './api';
import { useReloadOn } from './hooks';
import type { ConversationSummary, Message } from './types';

const SOUND_KEY = 'kefu.sound';
let soundOn = readSound();
const listeners = new Set<() => void>();
let audio: AudioContext | null = null;

function readSound(): boolean {
  try {
    return localStorage.getItem(SOUND_KEY) === '1';
  } catch {
    return false;
  }
}

export function setSound(on: boolean): void {
  soundOn = on;
  try {
    localStorage.setItem(SOUND_KEY, on ? '1' : '0');
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  // Browsers let audio start only from a user gesture: this click is one, so make the context now.
  if (on) {
    audio ??= new AudioContext();
    void audio.resume().catch(() => undefined);
  }
  for (const listener of listeners) listener();
}

const getSound = () => soundOn;
function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSound(): [boolean, (on: boolean) => void] {
  return [useSyncExternalStore(subscribe, getSound, getSound), setSound];
}

/** Two short tones; silent when sound is off or the browser has no audio. */
export function beep(): void {
  if (!soundOn) return;
  try {
    audio ??= new AudioContext();
    void audio.resume().catch(() => undefined);
    const start = audio.currentTime;
    for (const [offset, frequency] of [[0, 880], [0.18, 1175]] as const) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'sine';
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.15);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.16);
    }
  } catch {
    // No audio device or a browser without WebAudio: the title badge still tells.
  }
}

/** "(3) 客服工作台" while conversations wait, the plain title otherwise. */
export function setTitleBadge(queued: number, title: string): void {
  document.title = queued > 0 ? `(${queued}) ${title}` : title;
}

/** A conversation someone else just gave this agent: who (a user id; null when unknown) and which. */
export interface TransferNotice {
  conversationId: string;
  by: string | null;
}

/**
 * Who put a conversation in my hands: the actor of its latest system note that did (`transfer:…->me
 * by X`, or `status:…->assigned by X`); undefined when that was me (I took it or stepped in), null
 * when no note says.
 */
async function givenBy(conversationId: string, me: string): Promise<string | null | undefined> {
  const { messages } = await api.get<{ messages: Message[] }>(`/api/conversations/${encodeURIComponent(conversationId)}`);
  for (const m of [...messages].reverse()) {
    const moved = m.sender === 'system' ? /^(?:transfer:\S+?->(\S+)|status:\w+->assigned) by (.+)$/.exec(m.text ?? '') : null;
    // An older transfer to someone else is not how it came to me.
    if (!moved || (moved[1] !== undefined && moved[1] !== me)) continue;
    return moved[2] === me ? undefined : moved[2];
  }
  return null;
}

/** A conversation moving (into my hands among them); resync after a lost stream. */
const TRANSFER_EVENTS = ['conversation.updated', 'resync'] as const;

/**
 * Watches the conversations assigned to `me`: one that appears there which I did not take myself
 * (a transfer, or an admin assigning it) beeps and becomes the notice. The first load only learns
 * what is there.
 */
export function useTransferWatch(me: string): { notice: TransferNotice | null; dismiss: () => void } {
  const [notice, setNotice] = useState<TransferNotice | null>(null);
  const known = useRef<Set<string> | null>(null);

  const load = useCallback(async () => {
    try {
      const { items } = await api.get<{ items: ConversationSummary[] }>('/api/conversations?status=assigned&assignee=me&limit=500');
      const fresh = known.current ? items.filter((c) => !known.current!.has(c.id)) : [];
      known.current = new Set(items.map((c) => c.id));
      for (const c of fresh) {
        const by = await givenBy(c.id, me);
        if (by === undefined) continue;
        beep();
        setNotice({ conversationId: c.id, by });
      }
    } catch {
      // The inbox shows errors; a missed notice leaves the chat in the list all the same.
    }
  }, [me]);

  useReloadOn(load, TRANSFER_EVENTS);

  return { notice, dismiss: useCallback(() => setNotice(null), []) };
}
