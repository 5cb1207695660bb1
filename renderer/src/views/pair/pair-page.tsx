// The phone's pairing page (/pair#<secret>, opened from the QR code): claims the one-time secret, keeps
// the device token, and goes straight into the app. The secret left the address bar before this renders.
import { useEffect, useState } from 'react';
import type { PairClaimResponse } from '../../../../bridge/contracts/pairing';
import { endpointUrl } from '../../../../bridge/contracts/endpoint';
import { endpoints } from '../../../../bridge/contracts/endpoints';
import { ApiError, errorFrom, UNREACHABLE } from '../../api/api-client';
import { saveCredentials, saveDeviceId } from '../../api/credentials';
import { Spinner } from '../../ui/kit';
import { errorText } from '../../ui/format';
import { BrandMark } from '../../ui/brand-mark';
import '../devices/pairing.css';

/** A name the owner will recognise in the device list. */
export function deviceName(userAgent = navigator.userAgent): string {
  if (/iPhone/.test(userAgent)) return 'iPhone';
  if (/iPad/.test(userAgent)) return 'iPad';
  const android = /Android[^;)]*;\s*([^;)]+?)(?:\s+Build[^;)]*)?[;)]/.exec(userAgent);
  if (android?.[1] && !/^(K|wv|Mobile)$/.test(android[1].trim())) return `${android[1].trim()}`.slice(0, 64);
  if (/Android/.test(userAgent)) return 'Android phone';
  const browser = /Firefox\//.test(userAgent) ? 'Firefox' : /Edg\//.test(userAgent) ? 'Edge' : /Chrom/.test(userAgent) ? 'Chrome' : /Safari\//.test(userAgent) ? 'Safari' : 'Browser';
  const os = /Windows/.test(userAgent) ? 'Windows' : /Mac OS X/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : 'a computer';
  return `${browser} on ${os}`;
}

const REASONS: Record<string, string> = {
  expired: 'This pairing code has expired (codes last two minutes).',
  used: 'This pairing code was already used.',
  unknown: 'This pairing code is not known to the workstation.',
};

async function claim(secret: string): Promise<PairClaimResponse> {
  let response: Response;
  try {
    response = await fetch(endpointUrl(endpoints.pairing.claim), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ secret, device_name: deviceName() }),
    });
  } catch {
    throw new ApiError(0, UNREACHABLE);
  }
  if (!response.ok) {
    const copy = response.clone();
    const reason = await copy.json().then((b: { reason?: string }) => b.reason, () => undefined);
    const error = await errorFrom(response);
    throw new ApiError(error.status, (reason && REASONS[reason]) || error.detail);
  }
  return (await response.json()) as PairClaimResponse;
}

let started: Promise<PairClaimResponse> | null = null;

/** Starts the claim once per page load (re-renders and strict mode must not spend the secret twice). */
export function claimOnce(secret: string): Promise<PairClaimResponse> {
  started ??= claim(secret);
  return started;
}

export function PairPage({ secret, onPaired }: { secret: string | null; onPaired(): void }) {
  const [error, setError] = useState<string | null>(secret ? null : 'This link has no pairing code in it.');
  useEffect(() => {
    if (!secret) return;
    claimOnce(secret).then(
      (answer) => {
        saveCredentials({ kind: 'device', token: answer.token });
        saveDeviceId(answer.device_id);
        onPaired();
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [secret, onPaired]);

  return (
    <main className="center-screen">
      <div className="center-card">
        <BrandMark size="large" />
        {error ? (
          <>
            <h1>Pairing failed</h1>
            <p role="alert">{error}</p>
            <p className="muted">On your workstation, open Vigilink → Devices → Pair a phone, and scan the new code.</p>
          </>
        ) : (
          <>
            <h1>Pairing this phone…</h1>
            <Spinner label="Talking to your workstation" />
          </>
        )}
      </div>
    </main>
  );
}
