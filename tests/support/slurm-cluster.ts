// The tests' own Slurm cluster: slurmctld + slurmd + munge + a login sshd in one container on an --internal
// network (the host reaches it by its address on that network, nothing else does). Two users (vltest,
// vlother) get throwaway passwords; the fake nvidia-smi replays a real 8-GPU capture on the node.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { docker, driver, ensureTestImage, execIn, execWithStdin, REPO_ROOT, TEST_LABEL } from './docker.js';

export const SLURM_IMAGE = 'vigilink-test-slurm:latest';
/** An 8-GPU capture, so the node's eight gres GPUs are the capture's eight. */
export const SLURM_GPU_CAPTURE = 'xml-tesla-v100s-pcie-32gb-8gpu-procs-datakit.xml';

export interface SlurmUser {
  username: string;
  password: string;
}

export interface SlurmCluster {
  containerId: string;
  ip: string;
  users: { main: SlurmUser; other: SlurmUser };
  /** Run a shell command as a cluster user (sbatch and friends); resolves with stdout. */
  as(user: SlurmUser, script: string): Promise<string>;
  /** sbatch as a user; resolves with the job id. */
  sbatch(user: SlurmUser, args: string[], script: string): Promise<string>;
  /** Run as root in the container. */
  root(argv: string[]): Promise<string>;
  stop(): Promise<void>;
}

const password = (): string => `vl-${crypto.randomBytes(9).toString('base64url')}`;

export async function startSlurmCluster(network: string): Promise<SlurmCluster> {
  await ensureTestImage(path.join(REPO_ROOT, 'tests/fixtures/slurm'), SLURM_IMAGE);
  const container = await docker.createContainer({
    Image: SLURM_IMAGE,
    name: `vigilink-test-slurm-${crypto.randomBytes(4).toString('hex')}`,
    Hostname: 'node1',
    Labels: { [TEST_LABEL]: 'slurm' },
    HostConfig: { NetworkMode: network, Init: true },
  });
  await container.start();
  const id = container.id;
  try {
    await waitReady(id);
    await installFakeNvidiaSmi(id);
    const users = { main: { username: 'vltest', password: password() }, other: { username: 'vlother', password: password() } };
    const pairs = `${users.main.username}:${users.main.password}\n${users.other.username}:${users.other.password}\n`;
    if ((await execWithStdin(id, ['chpasswd'], pairs)) !== 0) throw new Error('chpasswd failed');
    const ip = (await container.inspect()).NetworkSettings.Networks[network]?.IPAddress;
    if (!ip) throw new Error(`the Slurm container has no address on ${network}`);
    const as = (user: SlurmUser, script: string): Promise<string> => execIn(id, ['runuser', '-u', user.username, '--', 'sh', '-c', `cd && ${script}`]);
    return {
      containerId: id,
      ip,
      users,
      as,
      sbatch: async (user, args, script) => {
        const quoted = [...args, '--wrap', script].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
        const out = await as(user, `sbatch --parsable ${quoted}`);
        return out.trim().split(';')[0]!;
      },
      root: (argv) => execIn(id, argv),
      stop: () => driver.remove(id),
    };
  } catch (error) {
    await driver.remove(id);
    throw error;
  }
}

async function waitReady(id: string): Promise<void> {
  for (let i = 0; ; i++) {
    const out = await execIn(id, ['sh', '-c', 'cat /run/vigilink-slurm-ready 2>/dev/null; sinfo -h -o %T 2>/dev/null || true']);
    if (out.includes('ready') && /\bidle\b/.test(out)) return;
    if (i > 300) throw new Error(`the Slurm cluster did not start: ${out}\n${(await driver.logs(id, 50)).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The fake nvidia-smi and its capture go in at start: the image's build context is one flat folder. */
async function installFakeNvidiaSmi(id: string): Promise<void> {
  const fixtures = path.join(REPO_ROOT, 'tests/fixtures');
  const put = async (target: string, file: string): Promise<void> => {
    if ((await execWithStdin(id, ['sh', '-c', `mkdir -p /opt/fake-nvidia-smi && cat > ${target}`], fs.readFileSync(file, 'utf8'))) !== 0) {
      throw new Error(`could not copy ${file} into the Slurm container`);
    }
  };
  await put('/opt/fake-nvidia-smi/fake-nvidia-smi.mjs', path.join(fixtures, 'fake-nvidia-smi/fake-nvidia-smi.mjs'));
  await put('/opt/fake-nvidia-smi/capture.xml', path.join(fixtures, 'nvidia-smi', SLURM_GPU_CAPTURE));
  await put(
    '/usr/local/bin/nvidia-smi',
    path.join(fixtures, 'slurm-node/nvidia-smi.sh'),
  );
  await execIn(id, ['chmod', '0755', '/usr/local/bin/nvidia-smi']);
  await execIn(id, ['chmod', '-R', 'a+rX', '/opt/fake-nvidia-smi']);
}
