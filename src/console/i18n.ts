/**
 * zh-CN first, with an English switch remembered in localStorage. The language lives in a tiny
 * store read through useSyncExternalStore, so any component (the admin pages too) can call
 * useT() without a provider. Admin strings come from src/console/admin/i18n.ts (adminMessages).
 */
import { useCallback, useSyncExternalStore } from 'react';
import { auditMessages } from './admin/audit-messages';
import { adminMessages } from './admin/i18n';
import { consoleMessages } from './messages';
import { contactMessages } from './pages/contact-messages';
import { draftMessages } from './pages/draft-messages';
import { presenceMessages } from './pages/presence-messages';
import { quickReplyMessages } from './pages/quick-reply-messages';
import { shiftMessages } from './pages/shift-messages';

export type Lang = 'zh-CN' | 'en';
export const LANGS: { value: Lang; label: string }[] = [
  { value: 'zh-CN', label: '中文' },
  { value: 'en', label: 'English' },
];
export type Vars = Record<string, string | number>;
export type T = (key: string, vars?: Vars) => string;

const STORAGE_KEY = 'kefu.lang';
const dictionaries: Record<Lang, Record<string, string>> = {
  'zh-CN': { ...consoleMessages['zh-CN'], ...adminMessages['zh-CN'], ...draftMessages['zh-CN'], ...presenceMessages['zh-CN'], ...contactMessages['zh-CN'], ...auditMessages['zh-CN'], ...quickReplyMessages['zh-CN'], ...shiftMessages['zh-CN'] },
  en: { ...consoleMessages.en, ...adminMessages.en, ...draftMessages.en, ...presenceMessages.en, ...contactMessages.en, ...auditMessages.en, ...quickReplyMessages.en, ...shiftMessages.en },
};

function readStored(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

let current: Lang = readStored();
const listeners = new Set<() => void>();
if (typeof document !== 'undefined') document.documentElement.lang = current;

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  if (lang === current) return;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  document.documentElement.lang = lang;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Looks a key up in `lang`, then in zh-CN, then answers the key itself; fills `{name}` from vars. */
export function translate(lang: Lang, key: string, vars?: Vars): string {
  const template = dictionaries[lang][key] ?? dictionaries['zh-CN'][key] ?? key;
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** Whether a key has a translation (to fall back to raw values such as unknown handoff reasons). */
export function hasKey(key: string): boolean {
  return key in dictionaries['zh-CN'] || key in dictionaries.en;
}

export function useLang(): { lang: Lang; setLang: (lang: Lang) => void } {
  const lang = useSyncExternalStore(subscribe, getLang, getLang);
  return { lang, setLang };
}

/** `t(key, vars?)` in the current language; re-renders the caller when the language changes. */
export function useT(): T {
  const { lang } = useLang();
  return useCallback((key: string, vars?: Vars) => translate(lang, key, vars), [lang]);
}
