/**
 * Watches the queue wherever the agent is in the console: keeps the title badge at the number of
 * queued conversations, and when a conversation joins the queue that was not there before, beeps
 * (if sound is on) and returns an announcement for the aria-live region.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api';
import { contactLabel } from './contact-label';
import { useReloadOn } from './hooks';
import { useT } from './i18n';
import { beep, setTitleBadge } from './notify';
import type { ConversationSummary } from './types';

/** A conversation joining or leaving the queue; resync after a lost stream. */
const QUEUE_EVENTS = ['conversation.updated', 'conversation.created', 'resync'] as const;

export function useQueueWatch(): { queued: number; announcement: string } {
  const t = useT();
  const [queued, setQueued] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const known = useRef<Set<string> | null>(null);

  const load = useCallback(async () => {
    try {
      const { items } = await api.get<{ items: ConversationSummary[] }>('/api/conversations?status=queued&limit=500');
      const ids = new Set(items.map((c) => c.id));
      // The first load only learns what is there; only later arrivals are news.
      const fresh = known.current ? [...ids].filter((id) => !known.current!.has(id)) : [];
      known.current = ids;
      setQueued(ids.size);
      if (fresh.length > 0) {
        beep();
        // issue 14 item 1: a single arrival is named (访客 12, 张三), not only counted.
        const arrived = fresh.length === 1 ? items.find((c) => c.id === fresh[0]) : undefined;
        setAnnouncement(arrived ? t('notify.announceNamed', { name: contactLabel(arrived.contact, t), n: ids.size }) : t('notify.announce', { n: ids.size }));
      }
    } catch {
      // The inbox shows the error; the badge keeps its last value.
    }
  }, [t]);

  useReloadOn(load, QUEUE_EVENTS);

  useEffect(() => setTitleBadge(queued, t('app.title')), [queued, t]);
  // Signed out: no badge on the login page.
  useEffect(() => () => setTitleBadge(0, document.title.replace(/^\(\d+\) /, '')), []);
  return { queued, announcement };
}
