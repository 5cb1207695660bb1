// The desktop window, end to end against the real bridge and sshd: connect an SSH session through the
// form, see it listed, run a command in the terminal, browse, preview and download a file, watch GPUs.
import fs from 'node:fs';
import path from 'node:path';
import { connectSession, DESKTOP, expect, openOwner, shot, signInLink, terminalText, test } from './fixtures.js';

const USER = 'desk-user';

test('the sign-in link signs in once and leaves no owner token in the address bar, history or localStorage', async ({ browser, stack }) => {
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  const link = await signInLink(stack);
  const nonce = new URL(link).hash.replace('#signin=', '');
  await page.goto(link);
  // The owner lands on the overview of every user.
  await expect(page).toHaveURL(`${stack.baseUrl}/overview`);
  await expect(page.locator('.conn-online').filter({ visible: true })).toBeVisible();
  expect(page.url()).not.toContain(nonce);
  // The entry was replaced, not pushed: going back leaves the app without passing a URL with the nonce.
  await page.goBack();
  expect(page.url()).not.toContain(nonce);
  await page.goForward();
  await expect(page).toHaveURL(`${stack.baseUrl}/overview`);
  // Neither the owner token nor the session it opened is in localStorage; the session is this tab's only.
  const local: string = await page.evaluate('JSON.stringify(Object.entries(localStorage))');
  expect(local).not.toContain(stack.token);
  const session: string | null = await page.evaluate("sessionStorage.getItem('vigilink.token')");
  expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(session).not.toBe(stack.token);
  expect(local).not.toContain(session);
  // A reload keeps the owner signed in (this tab's session), without the link.
  await page.reload();
  await expect(page.locator('.conn-online').filter({ visible: true })).toBeVisible();
  await expect(page.getByText('Acting for')).toBeVisible();
  // The link is dead: opened again (another tab, or from history) it signs nobody in.
  const again = await context.newPage();
  await again.goto(link);
  await expect(again.getByText('Access ended')).toBeVisible();
  await expect(again.getByRole('alert')).toContainText('already used or has expired');
  await context.close();
});

test('desktop: connect, terminal, files, download and GPUs through the UI', async ({ browser, stack }) => {
  const { context, page, problems } = await openOwner(browser, stack, { user: USER });

  await test.step('connect an SSH session through the form and see it listed', async () => {
    await expect(page.getByText('No sessions yet')).toBeVisible();
    const form = page.getByRole('form', { name: 'Connect an SSH session' });
    await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill(String(stack.sshd.port));
    await form.getByLabel('Username', { exact: true }).fill(stack.account.username);
    await form.getByLabel('Password', { exact: true }).fill(stack.account.password);
    await form.getByRole('button', { name: 'Connect' }).click();
    await expect(form.getByText(/Connected “default” to 127\.0\.0\.1/)).toBeVisible();
    const row = page.locator('[data-session="default"]');
    await expect(row).toContainText('Active');
    await expect(row).toContainText(`${stack.account.username}@127.0.0.1:${stack.sshd.port}`);
    await expect(row).toContainText('Since just now');
    // The password left the form once used.
    await expect(form.getByLabel('Password', { exact: true })).toHaveValue('');
  });

  await test.step('a wrong password shows the API’s reason', async () => {
    const form = page.getByRole('form', { name: 'Connect an SSH session' });
    await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill(String(stack.sshd.port));
    await form.getByLabel('Username', { exact: true }).fill(stack.account.username);
    await form.getByLabel('Password', { exact: true }).fill('not-the-password');
    await form.getByRole('button', { name: 'Connect' }).click();
    await expect(form.getByRole('alert')).toContainText('Could not connect');
    await expect(form.getByRole('alert')).toContainText(/authentication failed/i);
  });

  await test.step('run echo in the terminal and see its output', async () => {
    await page.locator('[data-session="default"]').getByRole('button', { name: 'Terminal' }).click();
    await expect(page).toHaveURL(/\/terminal\?session=default$/);
    await expect(page.locator('.terminal-status .badge-ok')).toBeVisible();
    await page.locator('[data-testid="terminal"]').click();
    // $((6*7)) is expanded by the remote shell: seeing 42 proves the command ran there.
    await page.keyboard.type('echo vl-$((6*7))-ok');
    await page.keyboard.press('Enter');
    await expect(terminalText(page)).toContainText('vl-42-ok');
  });

  await test.step('browse to a file and preview it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Files' }).first().click();
    const list = page.getByRole('list', { name: 'Files' });
    await list.getByRole('button', { name: new RegExp(stack.filesDirName) }).click();
    await expect(page.getByRole('navigation', { name: 'Folder' })).toContainText(stack.filesDirName);
    await expect(list.getByRole('button', { name: /train\.log/ })).toContainText(/KB|B/);
    await list.getByRole('button', { name: /train\.log/ }).click();
    await expect(page.getByTestId('preview-text')).toContainText('Training finished: best acc 0.968');
    await list.getByRole('button', { name: /loss-curve\.png/ }).click();
    await expect(page.getByRole('img', { name: 'loss-curve.png' })).toBeVisible();
    const natural = await page.getByRole('img', { name: 'loss-curve.png' }).evaluate((img: any) => [img.naturalWidth, img.naturalHeight]);
    expect(natural).toEqual([96, 64]);
    // Into a sub-folder and back up by the breadcrumbs.
    await list.getByRole('button', { name: /results/ }).click();
    await expect(list.getByRole('button', { name: /run-42/ })).toBeVisible();
    await page.getByRole('navigation', { name: 'Folder' }).getByRole('button', { name: stack.filesDirName }).click();
    await expect(list.getByRole('button', { name: /checkpoint\.bin/ })).toBeVisible();
  });

  await test.step('download a file and compare its bytes', async () => {
    await page.getByRole('list', { name: 'Files' }).getByRole('button', { name: /checkpoint\.bin/ }).click();
    await expect(page.getByText('This file is binary')).toBeVisible();
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('checkpoint.bin');
    const saved = fs.readFileSync(await download.path());
    const original = fs.readFileSync(path.join(stack.filesDir, 'checkpoint.bin'));
    expect(saved.length).toBe(original.length);
    expect(saved.equals(original)).toBe(true);
    await expect(page.getByText('Saved to your downloads.')).toBeVisible();
  });

  await test.step('see a GPU card per GPU from a replayed nvidia-smi capture', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'GPUs' }).first().click();
    const cards = page.locator('.gpu-card');
    await expect(cards).toHaveCount(2);
    await expect(cards.nth(0)).toContainText('GeForce GTX 1080');
    await expect(cards.nth(0)).toContainText('GPU 0');
    await expect(cards.nth(1)).toContainText('GPU 1');
    await expect(cards.nth(0).locator('.gpu-procs')).toContainText('nbminer');
    await expect(cards.nth(0).locator('.meter').first()).toContainText('100%');
    await expect(page.locator('.gpu-host')).toContainText('127.0.0.1');
  });

  await test.step('a host without a working driver is explained in plain words', async () => {
    stack.setGpuHost({ mode: 'driver-failed' });
    try {
      const banner = page.locator('.banner').filter({ hasText: /driver/i });
      await expect(banner).toBeVisible();
      await expect(banner).toContainText(/No GPU data from this host|Showing the last good reading/);
    } finally {
      stack.setGpuHost({ mode: 'capture' });
    }
  });

  await shot(page, 'gpus-desktop-after-driver-failure');

  await test.step('the VPN view shows the tunnel state and the API’s reason for a refused connect', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'VPN' }).first().click();
    await expect(page.locator('.vpn-state .badge')).toHaveText('Not connected');
    const form = page.getByRole('form', { name: 'Connect the VPN' });
    await form.getByLabel('Server', { exact: true }).fill('vpn.example.invalid');
    await form.getByLabel('Username', { exact: true }).fill('someone');
    await form.getByLabel('Password', { exact: true }).fill('secret');
    // A malformed pin is refused by the API's validation before any container or connection is made.
    await form.getByLabel('Server certificate pin', { exact: true }).fill('not-a-pin');
    await form.getByRole('button', { name: 'Connect VPN' }).click();
    await expect(form.getByRole('alert')).toContainText('Could not connect the VPN');
    await expect(form.getByRole('alert')).toContainText('servercert');
  });
  expect(problems).toEqual([]);
  await context.close();
});

test('a download cut off mid-way resumes with a Range request and still matches byte for byte', async ({ browser, stack }) => {
  const user = 'resume-user';
  await connectSession(stack, user);
  const { context, page, problems } = await openOwner(browser, stack, { user });
  const ranges: (string | null)[] = [];
  // The network fault is simulated: the first answer is the real one cut after 1 MiB, as when a phone
  // changes networks; everything after that goes to the real bridge.
  await page.route('**/api/fs/download?**', async (route) => {
    const range = route.request().headers()['range'] ?? null;
    ranges.push(range);
    if (range !== null) return route.continue();
    const real = await route.fetch();
    const body = await real.body();
    await route.fulfill({ status: 200, headers: { ...real.headers(), 'content-length': String(body.length) }, body: body.subarray(0, 1024 * 1024) });
  });
  await page.goto(`${stack.baseUrl}/files?session=default&path=${encodeURIComponent(stack.filesDir)}&open=checkpoint.bin`);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download' }).click();
  const saved = fs.readFileSync(await (await downloading).path());
  expect(ranges).toEqual([null, `bytes=${1024 * 1024}-`]);
  expect(saved.equals(fs.readFileSync(path.join(stack.filesDir, 'checkpoint.bin')))).toBe(true);
  expect(problems).toEqual([]);
  await context.close();
});
