// The tests' own AnyConnect server: ocserv in a container on an --internal network, with a throwaway
// self-signed certificate (made when the container starts), a password file with one user (ocpasswd), an
// address pool, and an sshd that listens only on the VPN side (10.77.1.1, reachable only through a tunnel).
// The MFA variants (tests/fixtures/ocserv-mfa) log in with PAM instead: the Unix password, then a TOTP code.
import crypto from 'node:crypto';
import path from 'node:path';
import { docker, driver, ensureTestImage, execIn, execWithStdin, REPO_ROOT, TEST_LABEL } from './docker.js';

export const OCSERV_IMAGE = 'vigilink-test-ocserv:latest';
export const VPN_USER = 'vpnuser';
// A throwaway password for a VPN server that exists only inside this test run's internal network.
export const VPN_PASSWORD = 'vl-vpn-Secr3t-7781';
/** The sshd on the VPN side of the server, and the pool clients get addresses from. */
export const VPN_SIDE_SSH_HOST = '10.77.1.1';
export const VPN_POOL = /^10\.77\.0\.\d+$/;

/** The server that asks more than a password (tests/fixtures/ocserv-mfa): PAM password, then a TOTP code. */
export const OCSERV_MFA_IMAGE = 'vigilink-test-ocserv-mfa:latest';
// A throwaway TOTP secret (hex, as pam_oath's users file takes it) for that server only.
export const TOTP_SECRET_HEX = '3132333435363738393031323334353637383930';
/** otp: password then code; groups: the same, after a first form that offers the groups lab and campus. */
export type MfaVariant = 'otp' | 'groups';

/** RFC 6238 TOTP (HMAC-SHA1, 30 s steps, 6 digits) at `atMs`. */
export function totp(secretHex: string, atMs = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const mac = crypto.createHmac('sha1', Buffer.from(secretHex, 'hex')).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

export interface Ocserv {
  containerId: string;
  ip: string;
  url: string;
  /** openconnect's --servercert pin of the throwaway certificate. */
  pin: string;
  /** Kill the ocserv processes (the container and its sshd stay). */
  kill(): Promise<void>;
  /** Start ocserv again after kill(). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** pin-sha256: base64 of the SHA-256 of the certificate's public key (SubjectPublicKeyInfo, DER). */
export function pinOf(certificatePem: string): string {
  const spki = new crypto.X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return `pin-sha256:${crypto.createHash('sha256').update(spki).digest('base64')}`;
}

export async function startOcserv(network: string, sshUser: { username: string; password: string }, mfa?: MfaVariant): Promise<Ocserv> {
  const image = mfa ? OCSERV_MFA_IMAGE : OCSERV_IMAGE;
  await ensureTestImage(path.join(REPO_ROOT, mfa ? 'tests/fixtures/ocserv-mfa' : 'tests/fixtures/ocserv'), image);
  const container = await docker.createContainer({
    Image: image,
    ...(mfa ? { Cmd: ['/usr/local/bin/entrypoint.sh', `/etc/ocserv/ocserv-${mfa}.conf`] } : {}),
    name: `vigilink-test-ocserv-${crypto.randomBytes(4).toString('hex')}`,
    Labels: { [TEST_LABEL]: 'ocserv' },
    HostConfig: {
      NetworkMode: network,
      CapAdd: ['NET_ADMIN'],
      Devices: [{ PathOnHost: '/dev/net/tun', PathInContainer: '/dev/net/tun', CgroupPermissions: 'rwm' }],
      Init: true,
    },
  });
  await container.start();
  const id = container.id;
  try {
    for (let i = 0; ; i++) {
      const ready = await execIn(id, ['sh', '-c', 'cat /run/vigilink-ocserv-ready 2>/dev/null || true']);
      if (ready.includes('ready')) break;
      if (i > 100) throw new Error(`ocserv did not start: ${(await driver.logs(id, 50)).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Passwords go on stdin: ocpasswd asks twice; chpasswd reads user:password; pam_oath's users file likewise.
    if (mfa) {
      if ((await execWithStdin(id, ['sh', '-c', 'cat >/etc/users.oath'], `HOTP/T30/6 ${VPN_USER} - ${TOTP_SECRET_HEX}\n`)) !== 0) throw new Error('users.oath failed');
      if ((await execWithStdin(id, ['chpasswd'], `${VPN_USER}:${VPN_PASSWORD}\n`)) !== 0) throw new Error('chpasswd failed');
    } else if ((await execWithStdin(id, ['ocpasswd', '-c', '/etc/ocserv/ocpasswd', VPN_USER], `${VPN_PASSWORD}\n${VPN_PASSWORD}\n`)) !== 0) {
      throw new Error('ocpasswd failed');
    }
    if ((await execWithStdin(id, ['chpasswd'], `${sshUser.username}:${sshUser.password}\n`)) !== 0) throw new Error('chpasswd failed');
    const info = await container.inspect();
    const ip = info.NetworkSettings.Networks[network]?.IPAddress;
    if (!ip) throw new Error(`ocserv has no address on ${network}`);
    const pin = pinOf(await execIn(id, ['cat', '/etc/ocserv/server-cert.pem']));
    return {
      containerId: id,
      ip,
      url: `https://${ip}`,
      pin,
      // ocserv renames its processes (ocserv-main, ...): wait for the port to close, not for a name.
      kill: async () =>
        void (await execIn(id, ['sh', '-c', 'kill $(cat /run/ocserv.pid); i=0; while ss -Htln "sport = :443" | grep -q . && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done'])),
      restart: async () => void (await execIn(id, ['ocserv', '--config', '/etc/ocserv/ocserv.conf'])),
      stop: () => driver.remove(id),
    };
  } catch (error) {
    await driver.remove(id);
    throw error;
  }
}
