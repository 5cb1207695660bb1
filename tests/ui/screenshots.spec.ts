// Every main view at desktop and phone size (light, plus dark for a few), saved to tests/artifacts/ to be
// looked at. Each view is also checked for what makes it useful: real data shown, nothing overflowing.
import { expect, connectSession, openOwner, openView, shot, test, type Size } from './fixtures.js';
import type { Page } from '@playwright/test';

/** No element wider than the viewport: a phone must never scroll sideways. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  expect(overflow, 'the page scrolls sideways').toBeLessThanOrEqual(0);
}

for (const size of ['desktop', 'phone'] as Size[]) {
  test(`screenshots of every view: ${size}`, async ({ browser, stack }) => {
    const user = `shots-${size}`;
    await connectSession(stack, user, 'default');
    await connectSession(stack, user, 'gpu-node');
    const rule = await stack.bridge.api('POST', '/api/gpu/alerts/rules', { user_id: user, session_id: 'gpu-node', kind: 'utilization_below', gpu_index: 0, threshold_pct: 5, minutes: 10 });
    expect(rule.status).toBe(200);
    const offer = await stack.bridge.api('POST', '/api/pair/offer', { user_id: user });
    const claim = await stack.bridge.api('POST', '/api/pair/claim', { secret: new URL(offer.body.url).hash.slice(1), device_name: 'Pixel 8' }, { token: null });
    expect(claim.status).toBe(200);

    for (const scheme of ['light', 'dark'] as const) {
      const suffix = `${size}${scheme === 'dark' ? '-dark' : ''}`;
      const { context, page } = await openOwner(browser, stack, { user, size, colorScheme: scheme });

      await expect(page.locator('[data-session="gpu-node"]')).toContainText('Active');
      await expectNoSidewaysScroll(page);
      await shot(page, `sessions-${suffix}`);

      await openView(page, 'Terminal');
      await expect(page.locator('.terminal-status .badge-ok')).toBeVisible();
      await page.locator('[data-testid="terminal"]').click();
      await page.keyboard.type('ls -la ~/vigilink-ui && tail -n 3 ~/vigilink-ui/train.log');
      await page.keyboard.press('Enter');
      await expect(page.locator('[data-testid="terminal"] .xterm-rows')).toContainText('best acc 0.968');
      await expectNoSidewaysScroll(page);
      await shot(page, `terminal-${suffix}`);

      await openView(page, 'Files');
      await page.getByRole('list', { name: 'Files' }).getByRole('button', { name: /vigilink-ui/ }).click();
      await expect(page.getByRole('list', { name: 'Files' }).getByRole('button', { name: /train\.log/ })).toBeVisible();
      await expectNoSidewaysScroll(page);
      await shot(page, `files-${suffix}`);
      await page.getByRole('list', { name: 'Files' }).getByRole('button', { name: /train\.log/ }).click();
      await expect(page.getByTestId('preview-text')).toContainText('epoch');
      if (size === 'phone') await page.getByRole('region', { name: /Preview of/ }).scrollIntoViewIfNeeded();
      await shot(page, `files-preview-${suffix}`);

      await openView(page, 'GPUs');
      await page.getByLabel('Session').selectOption('gpu-node');
      await expect(page.locator('.gpu-card')).toHaveCount(2);
      // A few live samples draw the history line.
      await expect(page.locator('.gpu-card .chart-line.line-util').first()).toHaveAttribute('d', /L/, { timeout: 20_000 });
      await expect(page.locator('.rule-list')).toContainText('GPU 0 under 5% for 10 min');
      await expectNoSidewaysScroll(page);
      await shot(page, `gpus-${suffix}`);
      if (size === 'phone') await shot(page, `gpus-${suffix}-full`, { fullPage: true });

      if (size === 'phone') {
        // The owner's phone tabs: Overview to Jobs and More; Ports, VPN and Devices sit in the More sheet.
        const tabs = page.getByRole('navigation', { name: 'Main' }).filter({ visible: true });
        await expect(tabs.getByRole('link')).toHaveCount(6);
        await tabs.getByRole('button', { name: 'More' }).click();
        await expect(tabs.getByRole('link')).toHaveCount(9);
        await shot(page, `more-${suffix}`);
        await page.keyboard.press('Escape');
        await expect(tabs.getByRole('link')).toHaveCount(6);
      }
      await openView(page, 'VPN');
      await expect(page.locator('.page-header').filter({ visible: true }).first()).toBeVisible();
      await expectNoSidewaysScroll(page);
      await shot(page, `vpn-${suffix}`);

      await openView(page, 'Devices');
      await expect(page.getByRole('list', { name: 'Paired devices' })).toContainText('Pixel 8');
      await expectNoSidewaysScroll(page);
      await shot(page, `devices-${suffix}`);

      await context.close();
    }
  });
}
