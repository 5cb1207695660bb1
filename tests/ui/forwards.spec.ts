// Open ports end to end in Chromium: a paired phone forwards a real web app (on the sshd host's loopback,
// through its SSH session), opens it in a new tab through the one-time link, sees the page and its live
// WebSocket updates, and stops it.
import { expect, openView, PHONE, shot, test, watchProblems } from './fixtures.js';
import { PAGE_TITLE, startWebApp } from '../support/web-app.js';

test('a phone opens a forwarded web app in a new tab and sees it update live', async ({ browser, stack }) => {
  const app = await startWebApp();
  const offer = await stack.bridge.api('POST', '/api/pair/offer', { user_id: 'fwd-phone' });
  expect(offer.status).toBe(200);
  const context = await browser.newContext(PHONE);
  try {
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(offer.body.url);
    await expect(page).toHaveURL(`${stack.baseUrl}/sessions`);
    const token = String(await page.evaluate("localStorage.getItem('vigilink.token')"));
    const connect = await stack.bridge.api(
      'POST',
      '/ssh/connect?session_id=default',
      { hostname: '127.0.0.1', port: stack.sshd.port, username: stack.account.username, password: stack.account.password },
      { token },
    );
    expect(connect.status).toBe(200);

    await openView(page, 'Ports');
    await expect(page).toHaveURL(`${stack.baseUrl}/ports`);
    await page.getByRole('radio', { name: 'Custom' }).click();
    await page.getByLabel('Remote port').fill(String(app.port));
    await page.getByRole('button', { name: 'Forward', exact: true }).click();
    const row = page.getByRole('listitem', { name: `Forward 127.0.0.1:${app.port}` });
    await expect(row).toBeVisible();
    await shot(page, 'forwards-phone');

    const [tab] = await Promise.all([context.waitForEvent('page'), row.getByRole('button', { name: 'Open' }).click()]);
    await expect(tab.getByRole('heading', { name: PAGE_TITLE })).toBeVisible();
    // The page's script (an absolute path) opened a WebSocket (an absolute URL) that ticks every 200 ms.
    await expect(tab.locator('#live')).toHaveText(/^tick \d+$/);
    const first = Number((await tab.locator('#live').textContent())!.split(' ')[1]);
    await expect.poll(async () => Number((await tab.locator('#live').textContent())!.split(' ')[1])).toBeGreaterThan(first);
    await tab.close();

    await row.getByRole('button', { name: 'Stop' }).click();
    await expect(row).toHaveCount(0);
    expect(problems).toEqual([]);
  } finally {
    await context.close();
    await app.close();
  }
});
