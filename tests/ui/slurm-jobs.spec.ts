// The phone and Slurm, end to end: a real cluster (tests/fixtures/slurm) on an --internal Docker network, a
// paired phone opens Jobs, sees its running job, follows the job's output live, and cancels it.
import { expect, openOwner, PHONE, shot, test, watchProblems } from './fixtures.js';
import { createInternalNetwork, requireDocker, type InternalNetwork } from '../support/docker.js';
import { startSlurmCluster, type SlurmCluster } from '../support/slurm-cluster.js';

const USER = 'slurm-phone';
let network: InternalNetwork;
let cluster: SlurmCluster;

test.describe.configure({ timeout: 300_000 });

test.beforeAll(async () => {
  await requireDocker();
  network = await createInternalNetwork();
  cluster = await startSlurmCluster(network.name);
});

test.afterAll(async () => {
  await cluster?.stop();
  await network?.remove();
});

test('phone: open Jobs, see the running job, follow its output, cancel it', async ({ browser, stack }) => {
  const { main } = cluster.users;
  const connect = await stack.bridge.api('POST', '/ssh/connect?session_id=hpc', { user_id: USER, hostname: cluster.ip, port: 22, username: main.username, password: main.password });
  expect(connect.status, JSON.stringify(connect.body)).toBe(200);
  const jobId = await cluster.sbatch(main, ['-J', 'train model', '-t', '10', '--gres=gpu:1'], 'for i in $(seq 1 900); do echo tick $i; sleep 0.3; done');
  await expect.poll(async () => cluster.as(main, `squeue -h -j ${jobId} -o %T`), { timeout: 60_000 }).toContain('RUNNING');

  const offer = await stack.bridge.api('POST', '/api/pair/offer', { user_id: USER });
  const context = await browser.newContext(PHONE);
  const phone = await context.newPage();
  const problems = watchProblems(phone);
  await phone.goto(offer.body.url);
  await expect(phone).toHaveURL(`${stack.baseUrl}/sessions`);

  await test.step('Jobs lists the running job with its GPU', async () => {
    await phone.getByRole('navigation', { name: 'Main' }).filter({ visible: true }).getByRole('link', { name: 'Jobs' }).click();
    const row = phone.locator(`[data-job="${jobId}"]`);
    await expect(row).toContainText('train model');
    await expect(row).toContainText('running');
    await expect(row).toContainText(/1 GPU \(node1: \d\)/);
    await shot(phone, 'jobs-phone-list');
    await row.click();
  });

  await test.step("the job's page follows its output", async () => {
    await expect(phone.getByRole('link', { name: 'All jobs' })).toBeVisible();
    const output = phone.getByTestId('job-output');
    await expect(output).toContainText(/tick \d+/);
    const lastTick = async (): Promise<number> => Number([...((await output.textContent()) ?? '').matchAll(/tick (\d+)/g)].pop()?.[1] ?? 0);
    const seen = await lastTick();
    await expect.poll(lastTick, { timeout: 20_000 }).toBeGreaterThan(seen + 5);
    await shot(phone, 'jobs-phone-output');
  });

  await test.step('cancel asks first, then the job ends as cancelled', async () => {
    await phone.getByRole('button', { name: 'Cancel job' }).click();
    const confirm = phone.getByRole('group', { name: 'Confirm cancel' });
    await expect(confirm).toContainText(`Cancel job ${jobId}?`);
    await confirm.getByRole('button', { name: 'Yes, cancel it' }).click();
    await expect(phone.locator('.badge').filter({ hasText: 'cancelled' }).first()).toBeVisible({ timeout: 30_000 });
    await expect(phone.getByRole('button', { name: 'Cancel job' })).toHaveCount(0);
    await expect.poll(async () => cluster.as(main, `squeue -h -t all -j ${jobId} -o %T`), { timeout: 30_000 }).toContain('CANCELLED');
  });

  expect(problems).toEqual([]);
  await context.close();
});

test('desktop: Jobs shows the finished job with its state and the way to its page', async ({ browser, stack }) => {
  const { context, page, problems } = await openOwner(browser, stack, { user: USER });
  await page.getByRole('navigation', { name: 'Main' }).filter({ visible: true }).getByRole('link', { name: 'Jobs' }).click();
  const row = page.locator('[data-job]').filter({ hasText: 'train model' });
  await expect(row).toContainText('cancelled');
  await shot(page, 'jobs-desktop-list');
  await row.click();
  await expect(page.getByRole('heading', { name: /^Job \d+$/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel job' })).toHaveCount(0);
  expect(problems).toEqual([]);
  await context.close();
});
