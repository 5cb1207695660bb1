// Playwright fixtures for the UI tests: one real stack per worker, and helpers that open the desktop UI
// as the owner (through a one-time sign-in link, as `npm run serve` prints it) or a phone-sized context.
import fs from 'node:fs';
import path from 'node:path';
import { test as base, devices, expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import { startUiStack, type UiStack } from './ui-stack.js';

export { expect };

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 };

/** A current phone (iPhone 15, 393 x 659 CSS px viewport), emulated in Chromium. */
const { defaultBrowserType: _webkit, ...iphone } = devices['iPhone 15'];
export const PHONE: BrowserContextOptions = iphone;

export type Size = 'desktop' | 'phone';
export const SIZES: Record<Size, BrowserContextOptions> = { desktop: DESKTOP, phone: PHONE };

export const test = base.extend<object, { stack: UiStack }>({
  stack: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const stack = await startUiStack();
      await use(stack);
      await stack.close();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

export interface OwnerOptions {
  size?: Size;
  colorScheme?: 'light' | 'dark';
  /** The user the owner acts for (the owner may act for anyone). */
  user: string;
}

/**
 * Uncaught exceptions and Content-Security-Policy violations of a page, collected for a final
 * `expect(problems).toEqual([])` (plain failed requests, such as a revoked token's 401, are expected).
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(`csp: ${message.text()}`);
  });
  return problems;
}

/** A fresh one-time sign-in link (`<base>/#signin=<nonce>`), made with the owner token. */
export async function signInLink(stack: UiStack): Promise<string> {
  const link = await stack.bridge.api<{ url: string }>('POST', '/api/auth/signin-link');
  if (link.status !== 200) throw new Error(`signin-link failed: ${link.status} ${JSON.stringify(link.body)}`);
  return link.body.url;
}

/** The desktop UI signed in through a sign-in link; the nonce leaves the address bar at once. */
export async function openOwner(browser: Browser, stack: UiStack, options: OwnerOptions): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ ...SIZES[options.size ?? 'desktop'], colorScheme: options.colorScheme ?? 'light' });
  await context.addInitScript((user) => {
    const storage = (globalThis as any).localStorage;
    if (!storage.getItem('vigilink.owner-user')) storage.setItem('vigilink.owner-user', user);
  }, options.user);
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(await signInLink(stack));
  // The owner lands on the overview of every user; the tests start from the chosen user's sessions.
  await expect(page).toHaveURL(`${stack.baseUrl}/overview`);
  await expect(page.locator('.conn-online').filter({ visible: true })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).filter({ visible: true }).getByRole('link', { name: 'Sessions' }).click();
  await expect(page).toHaveURL(`${stack.baseUrl}/sessions`);
  return { context, page, problems };
}

/** Goes to a main view by its link in the visible navigation: the sidebar, a phone tab, or the phone's More sheet. */
export async function openView(page: Page, label: string): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Main' }).filter({ visible: true });
  // One shows once the app is styled: the sidebar on wide screens, the tab bar on phones.
  await expect(nav).toHaveCount(1);
  const link = nav.getByRole('link', { name: label });
  const more = nav.getByRole('button', { name: 'More' });
  if (!(await link.isVisible()) && (await more.isVisible())) await more.click();
  await link.click();
}

/** Connect an SSH session for `user` through the API (for tests whose subject is another view). */
export async function connectSession(stack: UiStack, user: string, sessionId = 'default'): Promise<void> {
  const answer = await stack.bridge.api('POST', `/ssh/connect?session_id=${sessionId}`, {
    user_id: user,
    hostname: '127.0.0.1',
    port: stack.sshd.port,
    username: stack.account.username,
    password: stack.account.password,
  });
  if (answer.status !== 200) throw new Error(`connect failed: ${answer.status} ${JSON.stringify(answer.body)}`);
}

const ARTIFACTS = path.resolve('tests/artifacts');

/** A screenshot kept as a test artifact (tests/artifacts/<name>.png), to be looked at. */
export async function shot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<Buffer> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // Let transitions and fonts settle so the picture is what a person sees.
  await page.evaluate('document.fonts.ready');
  await page.waitForTimeout(250);
  return page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: options.fullPage ?? false, animations: 'disabled' });
}

/** The text an xterm.js screen shows (its DOM renderer's rows). */
export function terminalText(page: Page) {
  return page.locator('[data-testid="terminal"] .xterm-rows');
}
