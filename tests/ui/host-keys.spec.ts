// The owner's list of trusted SSH host keys in the Devices view: route, fingerprint, who first saw it,
// and Forget, against the real bridge and sshd.
import { connectSession, expect, openOwner, test } from './fixtures.js';

const USER = 'keys-user';

test('the owner sees the host keys it trusts and forgets one', async ({ browser, stack }) => {
  await connectSession(stack, USER, 'pins');
  const { context, page, problems } = await openOwner(browser, stack, { user: USER });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).first().click();

  const list = page.getByRole('list', { name: 'Trusted host keys' });
  const row = list.locator(`[data-host-key="direct 127.0.0.1:${stack.sshd.port}"]`);
  await expect(row).toContainText(`127.0.0.1:${stack.sshd.port}`);
  await expect(row).toContainText('direct');
  await expect(row).toContainText(stack.sshd.hostKeyFingerprint);
  // The first connection learned it: this test's, or an earlier spec's on the same stack.
  await expect(row).toContainText(/by the owner, for [\w-]+/);

  page.once('dialog', (dialog) => void dialog.accept());
  await row.getByRole('button', { name: 'Forget' }).click();
  await expect(row).toHaveCount(0);
  const pins = await stack.bridge.api('GET', '/ssh/host-keys');
  expect(pins.body.pins).not.toContainEqual(expect.objectContaining({ route: 'direct', port: stack.sshd.port }));
  expect(problems).toEqual([]);
  await context.close();
});
