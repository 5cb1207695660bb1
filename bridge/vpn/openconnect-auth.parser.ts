// Reading `openconnect --authenticate` as it talks: its prompts ("Password:", "Group: [a|b]:"), the server's
// message that precedes each one, its refusal, and the COOKIE/FINGERPRINT lines it ends with.
import type { VpnPromptField } from '../contracts/vpn.js';

export interface ParsedPrompt {
  label: string;
  /** A select's choices (openconnect lists their labels and takes one back); null for a typed answer. */
  choices: string[] | null;
}

/** openconnect asks to accept a certificate it cannot verify; the bridge always declines (pin it instead). */
export const CERT_QUESTION = /Enter 'yes' to accept, 'no' to abort/;

/** An unfinished last line that is a question: "Label:" or "Label: [a|b|c]:". */
export function parsePrompt(partial: string): ParsedPrompt | null {
  const text = partial.trim();
  if (!text.endsWith(':') || text.length > 300) return null;
  const select = /^(.*?):?\s*\[([^\]]*)\]:$/.exec(text);
  if (select) return { label: select[1]!.trim(), choices: select[2]!.split('|').map((choice) => choice.trim()) };
  return { label: text.slice(0, -1).trim(), choices: null };
}

// openconnect's own progress lines, which are not the server's words to a person.
const NOISE = [
  /^(POST|GET) https?:\/\//,
  /^Connected to /,
  /^SSL negotiation/,
  /^Server certificate verify failed/,
  /^XML POST enabled/,
  /^Got HTTP response/,
  /^Attempting to connect/,
  /^(COOKIE|HOST|CONNECT_URL|FINGERPRINT|RESOLVE)=/,
];

/** The server's message that came with a form: the lines since the previous question, progress left out. */
export function formMessage(lines: readonly string[]): string | null {
  const words = lines.map((line) => line.trim()).filter((line) => line.length > 0 && !NOISE.some((noise) => noise.test(line)));
  return words.length > 0 ? words.join('\n') : null;
}

const SLUG = /[^a-z0-9]+/g;
const TEXT_LABEL = /user|login|e-?mail|name|realm|domain|account/i;
const DUO_WORDS = /\b(push|phone|sms)\b/i;
const ONE_TIME = /one.?time|otp|oath|token|passcode|verification|code|2fa|second factor|authenticator|pin\b/i;

/**
 * A question as a form field. openconnect does not say whether it hides the answer, so labels that name a
 * person (user, login, e-mail) are text and everything else is a password; a one-time code is known only by
 * the server's message (ocserv's PAM code comes as a second password field, "Password1").
 */
export function toField(prompt: ParsedPrompt, message: string | null): VpnPromptField {
  const name = prompt.label.toLowerCase().replace(SLUG, '_').replace(/^_|_$/g, '') || 'answer';
  if (prompt.choices) {
    return { name, label: prompt.label, type: 'select', options: prompt.choices.map((choice) => ({ value: choice, label: choice })), one_time_code: false };
  }
  const type = TEXT_LABEL.test(prompt.label) ? 'text' : 'password';
  const words = `${prompt.label}\n${message ?? ''}`;
  // A Duo-style second password also takes words ("push", "phone", "sms"): no numbers-only keypad then.
  return { name, label: prompt.label, type, options: [], one_time_code: ONE_TIME.test(words) && !DUO_WORDS.test(words) };
}

/** What `openconnect --authenticate` prints on success: shell assignments with single-quoted values. */
export function parseAuthResult(line: string): [key: string, value: string] | null {
  const match = /^(COOKIE|HOST|CONNECT_URL|FINGERPRINT|RESOLVE)='(.*)'$/.exec(line.trim());
  return match ? [match[1]!, match[2]!.replace(/'\\''/g, "'")] : null;
}

const LOGIN_FAILED = /Login failed|Authentication failed|Invalid (user|password)/i;

/** Why the server refused a login, in its words ("HTTP/1.1 401 Authentication failed" -> "Authentication failed"). */
export function refusal(lines: readonly string[]): string | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    const http = /^Got HTTP response: HTTP\/[\d.]+ (\d{3}) ?(.*)$/.exec(line);
    if (http && http[1] === '401') return `${http[2] || 'Unauthorized'} (the server answered 401)`;
    if (LOGIN_FAILED.test(line) && !/^Failed to complete authentication$/.test(line)) return line;
  }
  return null;
}
