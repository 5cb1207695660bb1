// The platform seam inside the desktop app, with Electron's preload STUBBED (Electron cannot run here):
// a window.vigilink object shaped like main/preload's API gives the owner token, the version and the
// start-at-login setting, and the UI uses them with no owner link.
import { DESKTOP, expect, shot, test } from './fixtures.js';

test('desktop shell (preload stubbed): signed in by the shell, version and start-at-login shown', async ({ browser, stack }) => {
  const context = await browser.newContext(DESKTOP);
  await context.addInitScript(
    ({ token }) => {
      const state = { openAtLogin: false, sets: [] as boolean[] };
      (globalThis as any).__shell = state;
      (globalThis as any).vigilink = Object.freeze({
        getOwnerToken: async () => token,
        appVersion: async () => '0.1.0',
        getOpenAtLogin: async () => state.openAtLogin,
        setOpenAtLogin: async (enabled: boolean) => {
          state.sets.push(enabled);
          state.openAtLogin = enabled;
          return enabled;
        },
      });
      (globalThis as any).localStorage.setItem('vigilink.owner-user', 'shell-user');
    },
    { token: stack.token },
  );
  const page = await context.newPage();
  await page.goto(stack.baseUrl);
  await expect(page).toHaveURL(`${stack.baseUrl}/overview`);
  await expect(page.getByText('Acting for')).toBeVisible();
  await expect(page.locator('.conn-online').filter({ visible: true })).toBeVisible();
  // The shell's owner token stays in memory: nothing of it in the page's storage.
  expect(await page.evaluate('JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])')).not.toContain(stack.token);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).first().click();
  const card = page.locator('.card', { hasText: 'This workstation' });
  await expect(card).toContainText('Vigilink 0.1.0');
  const toggle = card.getByRole('checkbox', { name: /Start Vigilink when I log in/ });
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await expect(toggle).toBeChecked();
  expect(await page.evaluate('__shell.sets')).toEqual([true]);
  await shot(page, 'devices-desktop-app');

  // The tray's "Pair a phone…" opens /devices?pair=1; a GPU alert notification opens /gpus?user=...&session=...
  await page.goto(`${stack.baseUrl}/devices?pair=1`);
  await expect(page.getByRole('dialog', { name: 'Pair a phone' })).toBeVisible();
  await expect(page.getByTestId('pair-qr')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(`${stack.baseUrl}/devices`);
  await page.goto(`${stack.baseUrl}/gpus?user=alert-user&session=default`);
  await expect(page.getByLabel('Act for user').filter({ visible: true })).toHaveValue('alert-user');
  expect(await page.evaluate("localStorage.getItem('vigilink.owner-user')")).toBe('alert-user');
  await context.close();
});
