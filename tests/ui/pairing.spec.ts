// Pairing a phone end to end: the desktop shows a QR code, the test reads it off a screenshot like a
// camera would, a phone-sized browser opens it and lands in the app, sees the desktop's new session
// appear live, runs a command, and loses access the moment the desktop revokes it.
import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import { expect, openOwner, PHONE, shot, terminalText, test, watchProblems } from './fixtures.js';

const USER = 'phone-user';

/** Decodes the QR code visible in a PNG screenshot, as a phone camera would. */
function decodeQr(screenshot: Buffer): string | null {
  const png = PNG.sync.read(screenshot);
  return jsqr.default(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height)?.data ?? null;
}

test('phone: pair by QR, see a session appear live, run a command, lose access on revoke', async ({ browser, stack }) => {
  const { context: desktop, page: desk, problems } = await openOwner(browser, stack, { user: USER });
  const phone = await browser.newContext(PHONE);
  const mobile = await phone.newPage();
  const phoneProblems = watchProblems(mobile);

  let pairUrl: string;
  await test.step('the desktop shows a QR code with its countdown', async () => {
    await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).first().click();
    // Other specs on this stack pair phones for their own users; none is this user's yet.
    await expect(desk.getByRole('heading', { name: 'Paired devices' })).toBeVisible();
    await expect(desk.getByRole('list', { name: 'Paired devices' }).locator('li', { hasText: USER })).toHaveCount(0);
    await desk.getByRole('button', { name: 'Pair a phone' }).click();
    await expect(desk.getByTestId('pair-qr')).toBeVisible();
    await expect(desk.getByRole('dialog')).toContainText(/Expires in [12]:\d\d/);
    await expect(desk.getByRole('dialog')).toContainText(`act for ${USER}`);
    const decoded = decodeQr(await shot(desk, 'pair-dialog-desktop'));
    expect(decoded, 'the QR code in the screenshot decodes').not.toBeNull();
    pairUrl = decoded!;
    expect(pairUrl).toMatch(new RegExp(`^${stack.baseUrl.replace(/\./g, '\\.')}/pair#[A-Za-z0-9_-]{22,}$`));
  });

  await test.step('the phone opens the decoded URL and lands in the app with no further step', async () => {
    await mobile.goto(pairUrl);
    await expect(mobile).toHaveURL(`${stack.baseUrl}/sessions`);
    await expect(mobile.getByText('No sessions yet')).toBeVisible();
    await expect(mobile.locator('.conn-online').filter({ visible: true })).toBeVisible();
    // The desktop's dialog hears of the claim and the device appears in its list.
    await expect(desk.getByRole('dialog')).toContainText('iPhone is paired');
    await desk.getByRole('button', { name: 'Done' }).click();
    await expect(desk.getByRole('list', { name: 'Paired devices' })).toContainText('iPhone');
    await shot(mobile, 'sessions-phone-paired-empty');
  });

  await test.step('a session the desktop connects appears on the phone without reloading', async () => {
    await mobile.evaluate('window.__notReloaded = true');
    await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).first().click();
    const form = desk.getByRole('form', { name: 'Connect an SSH session' });
    await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill(String(stack.sshd.port));
    await form.getByLabel('Username', { exact: true }).fill(stack.account.username);
    await form.getByLabel('Password', { exact: true }).fill(stack.account.password);
    await form.getByRole('button', { name: 'Connect' }).click();
    const row = mobile.locator('[data-session="default"]');
    await expect(row).toContainText('Active', { timeout: 5_000 });
    await expect(row).toContainText(`${stack.account.username}@127.0.0.1`);
    expect(await mobile.evaluate('window.__notReloaded')).toBe(true);
    await shot(mobile, 'sessions-phone');
  });

  await test.step('the phone runs a command in the terminal', async () => {
    await mobile.locator('[data-session="default"]').getByRole('button', { name: 'Terminal' }).click();
    await expect(mobile.locator('.terminal-status .badge-ok')).toBeVisible();
    await expect(mobile.getByRole('toolbar', { name: 'Terminal keys' })).toBeVisible();
    await mobile.locator('[data-testid="terminal"]').click();
    await mobile.keyboard.type('echo phone-$((20+3))');
    await mobile.keyboard.press('Enter');
    await expect(terminalText(mobile)).toContainText('phone-23');
    // The key row's Ctrl is sticky: Ctrl then "c" interrupts a running sleep.
    await mobile.keyboard.type('sleep 30');
    await mobile.keyboard.press('Enter');
    await mobile.getByRole('button', { name: 'Ctrl' }).click();
    await mobile.keyboard.type('c');
    await mobile.keyboard.type('echo after-$((2*21))');
    await mobile.keyboard.press('Enter');
    await expect(terminalText(mobile)).toContainText('after-42', { timeout: 5_000 });
    await shot(mobile, 'terminal-phone');
  });

  await test.step('the desktop revokes the phone and it loses access at once', async () => {
    const token: string = await mobile.evaluate("localStorage.getItem('vigilink.token')");
    await desk.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).first().click();
    const device = desk.getByRole('list', { name: 'Paired devices' }).locator('li', { hasText: USER });
    await device.getByRole('button', { name: 'Revoke' }).click();
    await expect(mobile.getByText('Access ended')).toBeVisible({ timeout: 5_000 });
    // Other specs on this stack pair phones for their own users; none is this user's yet.
    await expect(desk.getByRole('heading', { name: 'Paired devices' })).toBeVisible();
    await expect(desk.getByRole('list', { name: 'Paired devices' }).locator('li', { hasText: USER })).toHaveCount(0);
    expect(await mobile.evaluate("localStorage.getItem('vigilink.token')")).toBeNull();
    const refused = await stack.bridge.api('GET', '/ssh/status', undefined, { token });
    expect(refused.status).toBe(401);
    await shot(mobile, 'revoked-phone');
  });

  expect(problems).toEqual([]);
  expect(phoneProblems).toEqual([]);
  await phone.close();
  await desktop.close();
});

test('phone: a spent pairing link says why and how to get a new one', async ({ browser, stack }) => {
  const offer = await stack.bridge.api('POST', '/api/pair/offer', { user_id: 'spent-user' });
  expect(offer.status).toBe(200);
  const secret = new URL(offer.body.url).hash.slice(1);
  expect((await stack.bridge.api('POST', '/api/pair/claim', { secret, device_name: 'first' }, { token: null })).status).toBe(200);
  const phone = await browser.newContext(PHONE);
  const mobile = await phone.newPage();
  await mobile.goto(offer.body.url);
  await expect(mobile.getByRole('heading', { name: 'Pairing failed' })).toBeVisible();
  await expect(mobile.getByRole('alert')).toContainText('already used');
  await expect(mobile.getByText('Pair a phone, and scan the new code')).toBeVisible();
  expect(mobile.url()).toBe(`${stack.baseUrl}/pair`);
  await shot(mobile, 'pair-failed-phone');

  // A phone that never paired gets the same directions instead of the app.
  await mobile.goto(`${stack.baseUrl}/sessions`);
  await expect(mobile.getByRole('heading', { name: 'Vigilink' })).toBeVisible();
  await expect(mobile.getByText('On a phone:')).toBeVisible();
  await shot(mobile, 'signed-out-phone');
  await phone.close();
});
