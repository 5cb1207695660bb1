// HTTPS to a test bridge as a phone on the LAN would see it: a LAN name resolved to loopback by the
// request's own `lookup` (never DNS, never the machine's real address), and only the CA given as trust.
import { execFile } from 'node:child_process';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import tls from 'node:tls';
import { promisify } from 'node:util';

export const execFileAsync = promisify(execFile);

/** Every name resolves to 127.0.0.1: the "LAN" of these tests. */
export const loopbackLookup: LookupFunction = (_hostname, options, callback) => {
  if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

export interface HttpsAnswer {
  status: number;
  body: string;
  peer: tls.DetailedPeerCertificate;
}

export function httpsGet(url: string, options: { ca?: string; agent?: https.Agent; headers?: Record<string, string> } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ca: options.ca, lookup: loopbackLookup, agent: options.agent, headers: options.headers }, (response) => {
      const peer = (response.socket as tls.TLSSocket).getPeerCertificate(true);
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), peer }));
    });
    request.on('error', reject);
    request.setTimeout(20_000, () => request.destroy(new Error('timed out')));
  });
}

/** A TLS handshake only: resolves with the peer's chain or rejects with the verifier's error. */
export function tlsHandshake(port: number, servername: string, ca: string | undefined): Promise<tls.DetailedPeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ca }, () => {
      const peer = socket.getPeerCertificate(true);
      socket.end();
      resolve(peer);
    });
    socket.on('error', reject);
  });
}
