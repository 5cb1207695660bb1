// Revoking a device ends its commands in the user's real VPN container (real=false, --internal network):
// the answer is 401 at once, the command's processes are gone from the container, and another device's
// command in the same container completes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBridge } from '../support/bridge.js';
import { startContainerStack, type ContainerStack } from '../support/container-stack.js';
import { pairDevice, type PairedDevice } from '../support/live-client.js';
import { execIn } from '../support/docker.js';
import { eventually } from '../support/eventually.js';

let stack: ContainerStack | undefined;
let t: TestBridge;
let phone: PairedDevice;
let tablet: PairedDevice;
let containerId: string;

beforeAll(async () => {
  stack = await startContainerStack({ VPN_CONTAINER_NETWORK_INTERNAL: '1', VPN_COOLDOWN_SECONDS: '0' });
  ({ t } = stack);
  phone = await pairDevice(t, 'alice', 'doomed phone');
  tablet = await pairDevice(t, 'alice', 'kept tablet');
  const res = await t.api('POST', '/vpn/connect', { user_id: 'alice', real: false });
  expect(res.status).toBe(200);
  containerId = res.body.container_id;
}, 600_000);

afterAll(async () => {
  await stack?.close();
});

/** The container's processes' command lines. */
async function containerProcesses(): Promise<string[]> {
  return (await execIn(containerId, ['ps', '-eo', 'args='])).split('\n').map((line) => line.trim());
}

describe('revoking a device with a command in its VPN container', () => {
  it('kills the command in the container and answers 401; another device keeps its own', async () => {
    const command = t.api('POST', '/api/terminal/bastion/run', { command: 'sleep 300; echo late', timeout: 600 }, { token: phone.token });
    const kept = t.api('POST', '/api/terminal/bastion/run', { command: 'sleep 4; echo kept', timeout: 60 }, { token: tablet.token });
    await eventually('the command runs in the container', async () => (await containerProcesses()).includes('sleep 300'), 30_000);
    await eventually('both requests are tracked', () => t.bridge.context.deviceWork.count(phone.deviceId) === 1 && t.bridge.context.deviceWork.count(tablet.deviceId) === 1);

    const started = Date.now();
    expect((await t.api('DELETE', `/api/devices/${phone.deviceId}`)).status).toBe(200);
    const answer = await command;
    expect(answer.status).toBe(401);
    expect(answer.body.detail).toBe('This device was revoked');
    expect(Date.now() - started).toBeLessThan(5000);
    await eventually('the sleep is gone from the container', async () => !(await containerProcesses()).some((args) => args.startsWith('sleep 300')), 15_000);

    const keptAnswer = await kept;
    expect(keptAnswer.status).toBe(200);
    expect(keptAnswer.body).toMatchObject({ stdout: 'kept\n', exit_code: 0 });
    expect(t.bridge.context.deviceWork.count(phone.deviceId)).toBe(0);
  }, 120_000);
});
