// Real Chromium for the end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core
// (no browser download). Each launch gets a fresh profile, so sessions, cookies and localStorage
// never leak between tests; launch twice for two people (an agent and an admin).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = fileURLToPath(new URL('../../output/screenshots/', import.meta.url));

const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export interface BrowserSession {
  context: BrowserContext;
  /** The page the browser opened with. */
  page: Page;
  /** Uncaught page errors and console errors from every page of this session, for tests to assert on. */
  errors: string[];
  newPage(): Promise<Page>;
  /** Closes the browser and deletes its profile. Safe to call twice. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  /** navigator.language and Accept-Language; the product is zh-CN first. */
  locale?: string;
  /** Default wait for locators and navigation, in ms. The test machines are small. */
  timeoutMs?: number;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<BrowserSession> {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath} (set CHROMIUM_PATH or apt-get install chromium)`);
  const profile = mkdtempSync(join(tmpdir(), 'kefu-chromium-'));
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  process.once('exit', removeProfile);
  // Playwright refuses --user-data-dir in args: a persistent context is how a profile directory is given.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    locale: options.locale ?? 'zh-CN',
  }).catch((err) => {
    removeProfile();
    throw err;
  });
  context.setDefaultTimeout(options.timeoutMs ?? 15000);
  context.setDefaultNavigationTimeout(options.timeoutMs ?? 15000);

  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const url = msg.location().url;
      // Chromium asks every site for /favicon.ico by itself; a 404 there says nothing about the page.
      if (url.endsWith('/favicon.ico')) return;
      errors.push(`console: ${msg.text()}${url ? ` (${url})` : ''}`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);

  let closed = false;
  return {
    context,
    page: context.pages()[0] ?? (await context.newPage()),
    errors,
    newPage: () => context.newPage(),
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      removeProfile();
      process.off('exit', removeProfile);
    },
  };
}

/** Writes tests/output/screenshots/<name>.png (git-ignored) and returns its path. */
export async function screenshot(target: Page | Locator, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await target.screenshot({ path });
  return path;
}

/** Signs in through the console's login form and waits for the signed-in header. */
export async function signIn(page: Page, baseUrl: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByTestId('login-email').fill(who.email);
  await page.getByTestId('login-password').fill(who.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor();
}
