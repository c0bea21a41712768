/** Small shared hooks: a ticking clock, the directory of channel and user names. */
import { useCallback, useEffect, useState } from 'react';
import { api } from './api';
import { useEvents } from './events';
import type { Directory } from './types';

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
