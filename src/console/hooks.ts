/** Small shared hooks: a ticking clock, the directory of channel and user names. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api';
import { useEvents } from './events';
import type { Directory, ServerEvent } from './types';

/** The current time, re-read every `ms` (waiting times tick without refetching). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

const EMPTY: Directory = { channels: [], users: [] };

/** Channel and user names for filters and labels; reloaded when a channel changes. */
export function useDirectory(): Directory {
  const [directory, setDirectory] = useState<Directory>(EMPTY);
  const load = useCallback(() => {
    api.get<Directory>('/api/directory').then(
      (d) => setDirectory({ channels: d.channels ?? [], users: d.users ?? [] }),
      // Without the directory the console still works; it shows ids instead of names.
      () => undefined,
    );
  }, []);
  useEffect(load, [load]);
  useEvents((event) => {
    if (event.type === 'channel.changed' || event.type === 'resync') load();
  });
  return directory;
}

/**
 * Runs `load` once, then again after each burst of events of the given types (several arrive
 * together on a handoff or a transfer: one reload per burst, `delayMs` after the last).
 */
export function useReloadOn(load: () => Promise<void>, types: readonly ServerEvent['type'][], delayMs = 300): void {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    void load();
    return () => {
      if (timer.current) clearTimeout(timer.current);
    };
  }, [load]);
  useEvents((event) => {
    if (!types.includes(event.type)) return;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), delayMs);
  });
}
