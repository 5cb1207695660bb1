// The owner's overview and files you can change, end to end in Chromium against the real bridge and sshd:
// a session a phone opens appears on the desktop's overview within 2 s (no reload) and the owner switches
// to that user; a phone uploads a file with the picker and edits a text file, conflict included.
import fs from 'node:fs';
import path from 'node:path';
import { expect, openOwner, PHONE, shot, test, watchProblems } from './fixtures.js';
import type { UiStack } from './ui-stack.js';

async function pairPhone(browser: import('@playwright/test').Browser, stack: UiStack, user: string) {
  const offer = await stack.bridge.api('POST', '/api/pair/offer', { user_id: user });
  expect(offer.status).toBe(200);
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(offer.body.url);
  await expect(page).toHaveURL(`${stack.baseUrl}/sessions`);
  await expect(page.locator('.conn-online').filter({ visible: true })).toBeVisible();
  const token = await page.evaluate("localStorage.getItem('vigilink.token')");
  return { context, page, problems, token: String(token) };
}

/** An empty folder in the test account's home, owned by it, for one test. */
function ownFolder(stack: UiStack, prefix: string): string {
  const dir = path.join(stack.account.home, `${prefix}-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  const home = fs.statSync(stack.account.home);
  fs.chownSync(dir, home.uid, home.gid);
  return dir;
}

test('overview: a session a phone opens appears within 2 s, and the owner switches to its user', async ({ browser, stack }) => {
  const { context, page, problems } = await openOwner(browser, stack, { user: 'ov-desk' });
  await page.getByRole('navigation', { name: 'Main' }).filter({ visible: true }).getByRole('link', { name: 'Overview' }).click();
  await expect(page).toHaveURL(`${stack.baseUrl}/overview`);
  await page.evaluate('window.__notReloaded = true');
  const phone = await pairPhone(browser, stack, 'ov-phone');
  const card = page.getByRole('listitem', { name: 'User ov-phone' });
  await expect(card).toBeVisible();
  await expect(card.locator('.ov-count').first()).toHaveText(/^0/);

  // The phone opens a session (its own user, its own token); the desktop's card shows it live.
  const connect = await stack.bridge.api(
    'POST',
    '/ssh/connect?session_id=phone-lab',
    { hostname: '127.0.0.1', port: stack.sshd.port, username: stack.account.username, password: stack.account.password },
    { token: phone.token },
  );
  expect(connect.status).toBe(200);
  await expect(card.getByRole('list', { name: 'Sessions of ov-phone' })).toContainText('phone-lab', { timeout: 2_000 });
  await expect(card.locator('.ov-count').first()).toHaveText(/^1/, { timeout: 2_000 });
  expect(await page.evaluate('window.__notReloaded')).toBe(true);
  await shot(page, 'overview-desktop');

  // The picker lists the users the bridge knows; acting for one opens their sessions.
  const picker = page.getByLabel('Act for user').filter({ visible: true });
  await expect(picker.locator('option')).toContainText(['ov-desk', 'ov-phone', 'Add a user…']);
  await card.getByRole('button', { name: 'Act for ov-phone' }).click();
  await expect(page).toHaveURL(`${stack.baseUrl}/sessions`);
  await expect(picker).toHaveValue('ov-phone');
  await expect(page.locator('[data-session="phone-lab"]')).toContainText('Active');

  // "Add a user…" acts for someone the bridge has not seen.
  await picker.selectOption({ label: 'Add a user…' });
  await page.getByLabel('New user id').fill('newcomer');
  await page.getByRole('button', { name: 'Act for this user' }).click();
  await expect(page.getByLabel('Act for user').filter({ visible: true })).toHaveValue('newcomer');
  expect(problems).toEqual([]);
  expect(phone.problems).toEqual([]);
  await phone.context.close();
  await context.close();
});

test('phone: upload a file with the picker, edit a text file, and settle a conflict', async ({ browser, stack }) => {
  const user = 'files-phone';
  const phone = await pairPhone(browser, stack, user);
  const connect = await stack.bridge.api('POST', '/ssh/connect?session_id=default', {
    user_id: user,
    hostname: '127.0.0.1',
    port: stack.sshd.port,
    username: stack.account.username,
    password: stack.account.password,
  });
  expect(connect.status).toBe(200);
  const { page } = phone;
  // A folder of this test's own: the account's home is shared with other runs.
  const dir = ownFolder(stack, 'vl-phone');
  fs.writeFileSync(path.join(dir, 'notes.md'), '# Experiment notes\n\nBaseline run on 2 GPUs.\n');
  fs.chownSync(path.join(dir, 'notes.md'), fs.statSync(dir).uid, fs.statSync(dir).gid);
  await page.goto(`${stack.baseUrl}/files?session=default&path=${encodeURIComponent(dir)}`);
  const list = page.getByRole('list', { name: 'Files' });
  await expect(list.getByRole('button', { name: /notes\.md/ })).toBeVisible();

  // Upload through the file picker (the phone's way); 2 MiB so the progress bar has something to show.
  const payload = Buffer.alloc(2 * 1024 * 1024, 7);
  await page.locator('input[type=file]').setInputFiles({ name: 'from-phone.bin', mimeType: 'application/octet-stream', buffer: payload });
  await expect(page.getByRole('list', { name: 'Uploads' })).toContainText('Uploaded');
  await expect(list.getByRole('button', { name: /from-phone\.bin/ })).toBeVisible();
  expect(fs.readFileSync(path.join(dir, 'from-phone.bin')).equals(payload)).toBe(true);

  // Edit notes.md and save.
  await list.getByRole('button', { name: /notes\.md/ }).click();
  await page.getByRole('button', { name: 'Edit' }).click();
  const editor = page.getByLabel('Text of notes.md');
  await expect(editor).toHaveValue(/Baseline run on 2 GPUs/);
  await editor.fill('# Experiment notes\n\nEdited on the phone.\n');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved', { exact: true })).toBeVisible();
  expect(fs.readFileSync(path.join(dir, 'notes.md'), 'utf8')).toBe('# Experiment notes\n\nEdited on the phone.\n');
  await shot(page, 'files-editor-phone');

  // Someone changes it on the workstation; the next save meets a conflict, and Overwrite settles it.
  fs.appendFileSync(path.join(dir, 'notes.md'), 'Changed on the workstation.\n');
  await editor.fill('# Experiment notes\n\nMine wins.\n');
  await page.getByRole('button', { name: 'Save' }).click();
  const conflict = page.getByRole('dialog', { name: 'Changed on the workstation' });
  await expect(conflict).toBeVisible();
  await shot(page, 'files-conflict-phone');
  await conflict.getByRole('button', { name: 'Overwrite' }).click();
  await expect(conflict).toBeHidden();
  expect(fs.readFileSync(path.join(dir, 'notes.md'), 'utf8')).toBe('# Experiment notes\n\nMine wins.\n');

  // Rename and delete with confirmation.
  await page.getByRole('button', { name: 'Close' }).click();
  // On a phone an open file covers the list: back to the folder.
  await page.locator('.preview-back').click();
  const row = page.getByRole('listitem').filter({ has: page.getByRole('button', { name: /from-phone\.bin/ }) });
  await row.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('New name (or a path to move it to)').fill('renamed.bin');
  await page.getByRole('dialog').getByRole('button', { name: 'Rename' }).click();
  await expect(list.getByRole('button', { name: /renamed\.bin/ })).toBeVisible();
  const renamed = page.getByRole('listitem').filter({ has: page.getByRole('button', { name: /renamed\.bin/ }) });
  await renamed.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(list.getByRole('button', { name: /renamed\.bin/ })).toBeHidden();
  expect(fs.existsSync(path.join(dir, 'renamed.bin'))).toBe(false);
  expect(phone.problems).toEqual([]);
  await phone.context.close();
  fs.rmSync(dir, { recursive: true, force: true });
});


test('desktop: drop files on the list to upload them (one PATCH cut and retried), and make a folder', async ({ browser, stack }) => {
  const user = 'files-desk';
  await stack.bridge.api('POST', '/ssh/connect?session_id=default', {
    user_id: user,
    hostname: '127.0.0.1',
    port: stack.sshd.port,
    username: stack.account.username,
    password: stack.account.password,
  });
  const { context, page, problems } = await openOwner(browser, stack, { user });
  const dir = ownFolder(stack, 'vl-drop');
  try {
    await page.goto(`${stack.baseUrl}/files?session=default&path=${encodeURIComponent(dir)}`);
    await expect(page.getByText('This folder is empty')).toBeVisible();
    // What the browser hands a drop handler when files are dragged in from the desktop.
    const dataTransfer = await page.evaluateHandle(() => {
      const { DataTransfer, File } = globalThis as any;
      const transfer = new DataTransfer();
      transfer.items.add(new File(['first dropped file\n'], 'dropped-1.txt', { type: 'text/plain' }));
      transfer.items.add(new File(['second\n'], 'dropped-2.txt', { type: 'text/plain' }));
      return transfer;
    });
    // The first PATCH dies on the way (a dropped connection): tus-js-client asks the bridge for the offset and goes on.
    let cutPatches = 0;
    await page.route('**/api/fs/uploads/*', (route) => (route.request().method() === 'PATCH' && cutPatches++ === 0 ? route.abort('connectionreset') : route.continue()));
    const pane = page.getByRole('region', { name: 'Folder contents' });
    await pane.dispatchEvent('dragover', { dataTransfer });
    await pane.dispatchEvent('drop', { dataTransfer });
    const list = page.getByRole('list', { name: 'Files' });
    await expect(list.getByRole('button', { name: /dropped-1\.txt/ })).toBeVisible();
    await expect(list.getByRole('button', { name: /dropped-2\.txt/ })).toBeVisible();
    expect(fs.readFileSync(path.join(dir, 'dropped-1.txt'), 'utf8')).toBe('first dropped file\n');
    expect(fs.readFileSync(path.join(dir, 'dropped-2.txt'), 'utf8')).toBe('second\n');
    expect(cutPatches).toBeGreaterThan(2);
    await page.unroute('**/api/fs/uploads/*');

    await page.getByRole('button', { name: 'Folder', exact: true }).click();
    await page.getByLabel('Folder name').fill('made-here');
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await expect(list.getByRole('button', { name: /made-here/ })).toBeVisible();
    expect(fs.statSync(path.join(dir, 'made-here')).isDirectory()).toBe(true);
    // A folder is deleted only after the confirmation says it takes everything in it.
    await page.getByRole('listitem').filter({ has: page.getByRole('button', { name: /made-here/ }) }).getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByRole('dialog')).toContainText('and everything in it');
    await page.getByRole('dialog').getByRole('button', { name: 'Delete folder and contents' }).click();
    await expect(list.getByRole('button', { name: /made-here/ })).toBeHidden();
    expect(fs.existsSync(path.join(dir, 'made-here'))).toBe(false);
    expect(problems).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await context.close();
  }
});
