/**
 * One EventSource on /api/events for the whole console. The browser retries a dropped stream by
 * itself; a stream the server refused (401, 5xx) is closed for good, so then we retry with
 * backoff and probe /api/auth/me so an expired session lands on the login page. After any
 * reconnect listeners get `resync`: events sent while we were away are lost, so reload.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { api } from './api';
import type { ServerEvent } from './types';

// agent.presence: issue 14 item 4 (the header's presence selector, the dashboard).
const EVENT_NAMES = ['conversation.created', 'conversation.updated', 'message.added', 'message.status', 'channel.changed', 'agent.presence'];

class EventHub {
  private source: EventSource | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempts = 0;
  private running = false;
  private live = false;
  private readonly listeners = new Set<(event: ServerEvent) => void>();
  private readonly liveListeners = new Set<() => void>();

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  stop(): void {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.source?.close();
    this.source = null;
    this.setLive(false);
  }

  subscribe(listener: (event: ServerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  subscribeLive = (listener: () => void): (() => void) => {
    this.liveListeners.add(listener);
    return () => this.liveListeners.delete(listener);
  };

  isLive = (): boolean => this.live;

  private connect(): void {
    const source = new EventSource('/api/events', { withCredentials: true });
    this.source = source;
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (message) => {
        try {
          this.dispatch(JSON.parse((message as MessageEvent<string>).data) as ServerEvent);
        } catch {
          // A malformed event is dropped; the next one (or a resync) brings the view up to date.
        }
      });
    }
    source.onopen = () => {
      this.attempts = 0;
      this.setLive(true);
      // Also on the first open: the lists were loaded before the stream was up, and anything that
      // happened in between reached no one.
      this.dispatch({ type: 'resync' });
    };
    source.onerror = () => {
      this.setLive(false);
      if (source.readyState !== EventSource.CLOSED || !this.running) return;
      source.close();
      this.attempts += 1;
      const delay = Math.min(30_000, 1000 * 2 ** Math.min(this.attempts, 5));
      // A 401 from this probe reaches api.ts's onUnauthorized, which stops the hub.
      void api.get('/api/auth/me').catch(() => undefined);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (this.running) this.connect();
      }, delay);
    };
  }

  private dispatch(event: ServerEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private setLive(live: boolean): void {
    if (this.live === live) return;
    this.live = live;
    for (const listener of this.liveListeners) listener();
  }
}

export const eventHub = new EventHub();

/** Calls `listener` for every server event while the component is mounted (always the latest listener). */
export function useEvents(listener: (event: ServerEvent) => void): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => eventHub.subscribe((event) => latest.current(event)), []);
}

/** Whether the event stream is connected now. */
export function useLive(): boolean {
  return useSyncExternalStore(eventHub.subscribeLive, eventHub.isLive, eventHub.isLive);
}
