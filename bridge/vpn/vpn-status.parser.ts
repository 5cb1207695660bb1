// Reading what the container says about its tunnel: the `vigilink-vpn status` probe's key=value lines,
// and the reason a connect failed, picked out of openconnect's log.

export interface TunnelProbe {
  /** openconnect's pid inside the container, when it is running. */
  pid: number | null;
  /** The tunnel interface's IPv4 address (no prefix length). */
  ip: string | null;
  server: string | null;
  /** When the vpnc-script last reported `connect`. */
  upSince: Date | null;
  /** openconnect lost the server and is trying to get it back. */
  reconnecting: boolean;
  /** The id of the start that this state belongs to. */
  attempt: string | null;
}

export function parseTunnelProbe(text: string): TunnelProbe {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) fields.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  const pid = Number(fields.get('pid'));
  const ip = fields.get('ip')?.split('/')[0] ?? '';
  const upSince = Number(fields.get('up_since'));
  return {
    pid: Number.isInteger(pid) && pid > 0 ? pid : null,
    ip: /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) ? ip : null,
    server: fields.get('server') || null,
    upSince: Number.isFinite(upSince) && upSince > 0 ? new Date(upSince * 1000) : null,
    reconnecting: fields.get('reconnecting') === '1',
    attempt: fields.get('attempt') || null,
  };
}

/** The marker `vigilink-vpn start` writes before each openconnect run. */
export const attemptMarker = (attempt: string): string => `vigilink-vpn: attempt ${attempt}`;

/** The log lines of one attempt (everything after its marker); all lines if the marker is not there. */
export function linesOfAttempt(lines: readonly string[], attempt: string): string[] {
  const marker = attemptMarker(attempt);
  const at = lines.lastIndexOf(marker);
  return at >= 0 ? lines.slice(at + 1) : [...lines];
}

const LOGIN_FAILED = /Login failed|Authentication failed|auth(entication)? (failed|denied)|Invalid (user|password)/i;
const INPUT_REQUIRED = /User input required in non-interactive mode/i;

// openconnect's own words for the failures people can act on, most specific first. A wrong password is
// "Login failed." followed by a second prompt that --non-inter refuses, so login failures come first.
// openconnect logs "Server certificate verify failed" even when a --servercert pin then accepts the
// certificate, so only a pin mismatch counts as a certificate failure.
const REASONS: Array<[RegExp, (line: string) => string]> = [
  [LOGIN_FAILED, (line) => line],
  [INPUT_REQUIRED, () => 'the server asks for more input (such as a one-time code), which a stored login cannot give'],
  [/fingerprint\(s\) specified via --servercert|does not match|certificate .*(rejected|mismatch)/i, (line) => line],
  [/Failed to (connect to|open HTTPS connection to|resolve)|Connection refused|No route to host|Network is unreachable|timed out/i, (line) => line],
  [/Failed to obtain WebVPN cookie|Unexpected .*response|Got inappropriate HTTP|Session terminated|disconnect|error/i, (line) => line],
];

/** The most telling line of a failed attempt's log (openconnect's reason), or null for an empty log. */
export function failureReason(lines: readonly string[]): string | null {
  for (const [pattern, say] of REASONS) {
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!;
      if (pattern.test(line)) return say(line.trim());
    }
  }
  const last = [...lines].reverse().find((line) => line.trim().length > 0);
  return last?.trim() ?? null;
}

/**
 * Why retrying with the same stored credentials cannot work (the login was refused, or the server wants a
 * fresh one-time code), or null when the failure was something else (server gone, network).
 */
export function loginProblem(lines: readonly string[]): string | null {
  if (lines.some((line) => LOGIN_FAILED.test(line))) return 'the server refused the stored login: connect again with the current password';
  if (lines.some((line) => INPUT_REQUIRED.test(line))) return 'the server asks for a one-time code or other input that a stored login cannot give: connect again';
  return null;
}
