/**
 * How a newly flagged chat announces itself: a "(N) …" badge in the tab title and, if the agent
 * turned it on (off by default, remembered in localStorage), a short WebAudio beep.
 */
import { useSyncExternalStore } from 'react';

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
