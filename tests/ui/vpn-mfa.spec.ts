// A phone connects the VPN to servers that ask more than a password (real ocserv with PAM and TOTP on an
// --internal Docker network): the code prompt appears with the server's message, a numeric keypad and a
// countdown, the phone answers it, and the tunnel comes up; a group choice is a row of buttons; a network
// that drops the stylesheet and the answer once (Chromium's ERR_NETWORK_CHANGED) costs the phone nothing.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { createInternalNetwork, ensureBackendImage, removeBridgeContainers, requireDocker, type InternalNetwork } from '../support/docker.js';
import { startOcserv, totp, TOTP_SECRET_HEX, VPN_PASSWORD, VPN_USER, type Ocserv } from '../support/ocserv.js';
import { expect, openView, PHONE, shot, test, watchProblems } from './fixtures.js';

const USER = 'vpn-phone-user';
let network: InternalNetwork;
let ocserv: Ocserv;
let groups: Ocserv;
let t: TestBridge;
/** The phone of the running test and its user, for the account a failure gives. */
let current: { mobile: Page; user: string; vpnCalls: string[] } | null = null;

test.beforeAll(async () => {
  test.setTimeout(900_000);
  await requireDocker();
  await ensureBackendImage();
  network = await createInternalNetwork();
  // The VPN-side sshd is not used here; its account gets a throwaway password.
  const sshUser = { username: 'vltest', password: crypto.randomBytes(12).toString('base64url') };
  ocserv = await startOcserv(network.name, sshUser, 'otp');
  groups = await startOcserv(network.name, sshUser, 'groups');
  t = await startBridge({ VIGILINK_DOCKER_NETWORK: network.name, VPN_CONNECT_TIMEOUT_SECONDS: '30', VPN_COOLDOWN_SECONDS: '0' });
});

// A failure says what the phone showed, what its VPN calls got back, and what the bridge held and logged.
// eslint-disable-next-line no-empty-pattern
test.afterEach(async ({}, testInfo) => {
  const phone = current;
  current = null;
  if (!phone || testInfo.status === testInfo.expectedStatus) return;
  const { mobile, user, vpnCalls } = phone;
  const shown = await mobile.locator('main').innerText().catch((error: unknown) => String(error));
  const status = await t.api('GET', `/vpn/status?user_id=${user}`);
  const prompt = await t.api('GET', `/vpn/prompt?user_id=${user}`);
  const log = fs.readFileSync(path.join(t.dataDir, 'bridge.log'), 'utf8').split('\n').filter((line) => line.includes(user) || line.includes('"path":"/vpn')).slice(-30);
  console.log(['--- the phone showed:', shown, '--- its VPN calls:', ...vpnCalls, `--- /vpn/status: ${JSON.stringify(status.body)}`, `--- /vpn/prompt: ${JSON.stringify(prompt.body)}`, '--- bridge log:', ...log].join('\n'));
});

test.afterAll(async () => {
  await t?.close();
  if (t) await removeBridgeContainers(t.dataDir);
  await ocserv?.stop();
  await groups?.stop();
  await network?.remove();
});

/** A phone paired for `user`, on the VPN view, having pressed Connect for `server`; `prepare` runs before its first page loads. */
async function phoneConnecting(browser: Browser, user: string, server: Ocserv, prepare?: (mobile: Page) => Promise<void>) {
  const offer = await t.api('POST', '/api/pair/offer', { user_id: user });
  expect(offer.status).toBe(200);
  const phone = await browser.newContext(PHONE);
  const mobile = await phone.newPage();
  const problems = watchProblems(mobile);
  await prepare?.(mobile);
  const vpnCalls: string[] = [];
  mobile.on('response', (response) => {
    const { pathname } = new URL(response.url());
    if (pathname.startsWith('/vpn/')) vpnCalls.push(`${response.request().method()} ${pathname} ${response.status()}`);
  });
  current = { mobile, user, vpnCalls };
  await mobile.goto(`${t.baseUrl}/pair#${new URL(offer.body.url).hash.slice(1)}`);
  await expect(mobile).toHaveURL(`${t.baseUrl}/sessions`);
  await openView(mobile, 'VPN');
  const form = mobile.getByRole('form', { name: 'Connect the VPN' });
  await form.getByLabel('Server', { exact: true }).fill(server.url);
  await form.getByLabel('Username', { exact: true }).fill(VPN_USER);
  await form.getByLabel('Password', { exact: true }).fill(VPN_PASSWORD);
  await form.getByLabel('Server certificate pin', { exact: true }).fill(server.pin);
  await form.getByRole('button', { name: 'Connect VPN' }).click();
  return { phone, mobile, problems };
}

test('phone: answers the one-time code prompt and sees the VPN come up', async ({ browser }) => {
  test.setTimeout(240_000);
  const { phone, mobile, problems } = await phoneConnecting(browser, USER, ocserv);

  await test.step("the code prompt shows the server, its message, a numeric keypad and the time left", async () => {
    const prompt = mobile.locator('.vpn-prompt');
    await expect(prompt).toContainText(`Sign in to ${ocserv.ip}`, { timeout: 60_000 });
    await expect(prompt).toContainText('One-time password (OATH)');
    await expect(prompt).toContainText(/Expires in [12]:\d\d/);
    await expect(mobile.locator('.vpn-state .badge')).toHaveText('Waiting for your answer');
    const code = prompt.getByLabel('One-time code', { exact: true });
    await expect(code).toHaveAttribute('inputmode', 'numeric');
    await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
    await code.fill(totp(TOTP_SECRET_HEX));
    await shot(mobile, 'vpn-phone-one-time-code');
    await prompt.getByRole('button', { name: 'Send' }).click();
  });

  await test.step('the tunnel comes up and the prompt goes away', async () => {
    await expect(mobile.locator('.vpn-state .badge')).toHaveText('Connected', { timeout: 60_000 });
    await expect(mobile.locator('.vpn-prompt')).toHaveCount(0);
    await expect(mobile.locator('.vpn-state')).toContainText(/10\.77\.0\.\d+/);
  });
  expect(problems).toEqual([]);
  await phone.close();
});

test('phone: a group choice is a row of buttons; one tap sends it, then the code', async ({ browser }) => {
  test.setTimeout(240_000);
  const { phone, mobile, problems } = await phoneConnecting(browser, 'vpn-group-user', groups);
  const prompt = mobile.locator('.vpn-prompt');
  const choices = prompt.getByRole('group', { name: 'Group' });
  await expect(choices.getByRole('button')).toHaveText(['Lab network', 'Campus network'], { timeout: 60_000 });
  await shot(mobile, 'vpn-phone-group-choice');
  await choices.getByRole('button', { name: 'Campus network' }).click();
  const code = prompt.getByLabel('One-time code', { exact: true });
  await expect(code).toBeVisible({ timeout: 60_000 });
  await code.fill(totp(TOTP_SECRET_HEX));
  await prompt.getByRole('button', { name: 'Send' }).click();
  await expect(mobile.locator('.vpn-state .badge')).toHaveText('Connected', { timeout: 60_000 });
  expect(problems).toEqual([]);
  await phone.close();
});

test('phone: a network that drops the stylesheet and the answer once still gives a styled app and a tunnel', async ({ browser }) => {
  test.setTimeout(240_000);
  // What Chromium does to requests in flight when the device's addresses change: each fails once, unanswered.
  const dropped: string[] = [];
  const dropOnce = (mobile: Page, pattern: string) =>
    mobile.route(pattern, async (route) => {
      if (dropped.includes(pattern)) return route.continue();
      dropped.push(pattern);
      await route.abort('internetdisconnected');
    });
  const { phone, mobile, problems } = await phoneConnecting(browser, 'vpn-flaky-net', ocserv, async (page) => {
    await dropOnce(page, '**/assets/*.css');
    await dropOnce(page, '**/vpn/prompt/answer');
  });
  // Styled: the phone's tab bar shows, and the sidebar does not.
  await expect(mobile.locator('.tabbar')).toBeVisible();
  await expect(mobile.locator('.side-nav')).toBeHidden();
  const prompt = mobile.locator('.vpn-prompt');
  const code = prompt.getByLabel('One-time code', { exact: true });
  await expect(code).toBeVisible({ timeout: 60_000 });
  // The next 30 s step: the first test may have used this step's code on the same server (pam_oath refuses a code twice).
  await code.fill(totp(TOTP_SECRET_HEX, Date.now() + 30_000));
  await prompt.getByRole('button', { name: 'Send' }).click();
  await expect(mobile.locator('.vpn-state .badge')).toHaveText('Connected', { timeout: 60_000 });
  expect(dropped).toEqual(['**/assets/*.css', '**/vpn/prompt/answer']);
  expect(problems).toEqual([]);
  await phone.close();
});
