// axe-core's WCAG 2.x A/AA rules on every view, at desktop and phone size, light and dark: no serious or
// critical violation. The views are visited as the screenshots spec does, with real data in them.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { connectSession, expect, openOwner, openView, test, type Size } from './fixtures.js';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The serious and critical violations on the page as it is now, one line each with where. */
async function violations(page: Page, view: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((node) => `${view}: ${v.id} (${v.impact}) at ${node.target.join(' ')}: ${node.failureSummary?.split('\n').slice(0, 2).join(' ') ?? ''}`));
}

for (const size of ['desktop', 'phone'] as Size[]) {
  test(`axe: no serious or critical violation on any view: ${size}`, async ({ browser, stack }) => {
    const user = `a11y-${size}`;
    await connectSession(stack, user, 'default');
    await connectSession(stack, user, 'gpu-node');
    const rule = await stack.bridge.api('POST', '/api/gpu/alerts/rules', { user_id: user, session_id: 'gpu-node', kind: 'utilization_below', gpu_index: 0, threshold_pct: 5, minutes: 10 });
    expect(rule.status).toBe(200);
    const offer = await stack.bridge.api('POST', '/api/pair/offer', { user_id: user });
    expect((await stack.bridge.api('POST', '/api/pair/claim', { secret: new URL(offer.body.url).hash.slice(1), device_name: 'Pixel 8' }, { token: null })).status).toBe(200);
    const found: string[] = [];
    // A folder of this test's own: the account's home is shared with other runs.
    const dir = path.join(stack.account.home, `vl-a11y-${process.pid}-${size}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'train.log'), Array.from({ length: 60 }, (_, i) => `epoch ${i + 1} loss ${(2 / (i + 1)).toFixed(3)}`).join('\n'));
    execFileSync('chown', ['-R', `${stack.account.username}:${stack.account.username}`, dir]);

    for (const scheme of ['light', 'dark'] as const) {
      const { context, page } = await openOwner(browser, stack, { user, size, colorScheme: scheme });
      const check = async (view: string): Promise<void> => {
        found.push(...(await violations(page, `${view} (${scheme})`)));
      };
      await expect(page.locator('[data-session="gpu-node"]')).toContainText('Active');
      await check('sessions');

      await openView(page, 'Overview');
      await expect(page.getByRole('listitem', { name: `User ${user}` })).toBeVisible();
      await check('overview');

      await openView(page, 'Terminal');
      await expect(page.locator('.terminal-status .badge-ok')).toBeVisible();
      await check('terminal');

      await openView(page, 'Files');
      await expect(page.getByRole('navigation', { name: 'Folder' })).toBeVisible();
      await check('files');
      await page.goto(`${stack.baseUrl}/files?session=default&path=${encodeURIComponent(dir)}&open=train.log`);
      await expect(page.getByTestId('preview-text')).toContainText('epoch');
      await check('files preview');
      await page.getByRole('button', { name: 'Edit' }).click();
      await expect(page.getByLabel('Text of train.log')).toHaveValue(/epoch/);
      await check('files editor');
      await page.getByRole('button', { name: 'Close' }).click();
      if (size === 'phone') await page.locator('.preview-back').click();
      await page.getByRole('button', { name: 'Folder' }).click();
      await expect(page.getByRole('dialog', { name: 'New folder' })).toBeVisible();
      await check('files new-folder dialog');
      await page.keyboard.press('Escape');

      await openView(page, 'GPUs');
      await page.getByLabel('Session').selectOption('gpu-node');
      await expect(page.locator('.gpu-card')).toHaveCount(2);
      await expect(page.locator('.rule-list')).toContainText('GPU 0 under 5% for 10 min');
      await check('gpus');

      if (size === 'phone') {
        await page.getByRole('button', { name: 'More' }).click();
        await expect(page.getByRole('link', { name: 'Devices' }).filter({ visible: true })).toBeVisible();
        await check('more sheet');
        await page.keyboard.press('Escape');
      }
      await openView(page, 'VPN');
      await expect(page.locator('.page-header').filter({ visible: true }).first()).toBeVisible();
      await check('vpn');

      await openView(page, 'Devices');
      await expect(page.getByRole('list', { name: 'Paired devices' })).toContainText('Pixel 8');
      await check('devices');
      await page.getByRole('button', { name: 'Pair a phone' }).click();
      await expect(page.getByTestId('pair-qr')).toBeVisible();
      await check('pair dialog');
      await page.keyboard.press('Escape');
      await context.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
    expect(found, found.join('\n')).toEqual([]);
  });
}
