// The login step, as NetworkManager's openconnect plugin does it: `openconnect --authenticate` in the user's
// container, its questions answered on its stdin (the password from the connect, the rest by the user via
// `ask`), ending in a session cookie and the server's certificate pin that start the tunnel. Nothing
// typed here reaches an argv, the environment or a log: openconnect does not echo what it reads.
import type { VpnPromptField } from '../contracts/vpn.js';
import { errorMessage } from '../core/errors.js';
import type { ContainerDriver } from './container-driver.js';
import { authTunnelArgv, type TunnelRequest } from './openconnect-args.js';
import { failureReason } from './vpn-status.parser.js';
import { CERT_QUESTION, formMessage, parseAuthResult, parsePrompt, refusal, toField } from './openconnect-auth.parser.js';
import { LOG_TAIL_LINES, type TunnelFailure } from './vpn-tunnel.js';

/** A question openconnect printed stays unanswered this long before it counts as a question (whole lines arrive in one write). */
const QUIET_MS = 150;
const USERNAME_LABEL = /user|login/i;

export interface AskedForm {
  message: string | null;
  fields: VpnPromptField[];
}

export interface AuthOptions {
  request: TunnelRequest;
  /** Answers the first password question; '' means ask the user. */
  password: string;
  /** The user's answers, by field name; rejects (timeout, abandoned) to end the login. `loginEnd` aborts once the login is over. */
  ask(form: AskedForm, loginEnd: AbortSignal): Promise<Map<string, string>>;
  /** How long the server may stay silent (time spent waiting for the user does not count). */
  silenceTimeoutMs: number;
}

export interface AuthSession {
  cookie: string;
  /** The server certificate openconnect accepted, to pin the tunnel to. */
  fingerprint: string | null;
}

export type AuthOutcome = ({ ok: true } & AuthSession) | ({ ok: false } & TunnelFailure);

/** Log in; resolves with the cookie, or with why not (nothing of this login keeps running either way). */
export async function authenticate(driver: ContainerDriver, containerId: string, options: AuthOptions): Promise<AuthOutcome> {
  const opened = await driver.openExec(containerId, authTunnelArgv(options.request));
  const login = new LoginConversation(options, (text) => opened.stream.write(text));
  opened.stream.on('error', () => undefined);
  opened.stream.on('data', (chunk: Buffer) => login.hear(chunk.toString('utf8')));
  const exitCode = await Promise.race([opened.exited, login.failed]);
  opened.stream.destroy();
  const outcome = login.outcome(exitCode);
  // A question still put to the user (openconnect exited meanwhile) can no longer be answered: withdraw it.
  login.end();
  return outcome;
}

class LoginConversation {
  private partial = '';
  private readonly lines: string[] = [];
  private sinceQuestion: string[] = [];
  private readonly result = new Map<string, string>();
  private passwordGiven = false;
  private asking = false;
  private quietTimer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  private failure: TunnelFailure | null = null;
  private readonly ended = new AbortController();
  private fail!: (failure: TunnelFailure) => void;
  /** Settles when the login is given up here (refusal, no answer, silence); openconnect's exit settles the rest. */
  readonly failed = new Promise<null>((resolve) => {
    this.fail = (failure) => {
      this.failure ??= failure;
      resolve(null);
    };
  });

  constructor(
    private readonly options: AuthOptions,
    private readonly say: (text: string) => void,
  ) {
    this.armSilence();
  }

  hear(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      const assignment = parseAuthResult(line);
      // SECURITY: the cookie is a session credential: kept in memory, never among the lines (log tail).
      if (assignment) this.result.set(assignment[0], assignment[1]);
      else {
        this.lines.push(line);
        this.sinceQuestion.push(line);
      }
    }
    this.armSilence();
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = this.partial ? setTimeout(() => void this.question(), QUIET_MS) : null;
  }

  private armSilence(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    if (this.ended.signal.aborted) return;
    const seconds = Math.round(this.options.silenceTimeoutMs / 1000);
    this.silenceTimer = setTimeout(() => !this.asking && this.giveUp(`timed out after ${seconds} s waiting for the VPN server`), this.options.silenceTimeoutMs);
    this.silenceTimer.unref();
  }

  private giveUp(reason: string, loginProblem: string | null = null): void {
    this.fail({ reason, logTail: this.lines.slice(-LOG_TAIL_LINES), loginProblem });
  }

  private async question(): Promise<void> {
    const text = this.partial;
    if (CERT_QUESTION.test(text)) {
      this.partial = '';
      this.say('no\n');
      return;
    }
    const prompt = parsePrompt(text);
    if (!prompt) return;
    this.partial = '';
    this.lines.push(text);
    const refused = refusal(this.sinceQuestion);
    const message = formMessage(this.sinceQuestion);
    this.sinceQuestion = [];
    // The server asked again after refusing: the answers given cannot work, so stop rather than loop.
    if (refused) return this.giveUp(refused, `the server refused the login: ${refused}`);
    const field = toField(prompt, message);
    if (field.type === 'password' && !this.passwordGiven && this.options.password) {
      this.passwordGiven = true;
      this.say(`${this.options.password}\n`);
      return;
    }
    if (field.type === 'text' && USERNAME_LABEL.test(field.label) && this.options.request.username) {
      this.say(`${this.options.request.username}\n`);
      return;
    }
    this.asking = true;
    try {
      const answers = await this.options.ask({ message, fields: [field] }, this.ended.signal);
      this.say(`${answers.get(field.name) ?? ''}\n`);
    } catch (error) {
      this.giveUp(errorMessage(error), errorMessage(error));
    } finally {
      this.asking = false;
      this.armSilence();
    }
  }

  /** The login is over: a question still waiting for the user goes. */
  end(): void {
    this.ended.abort();
  }

  outcome(exitCode: number | null): AuthOutcome {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    const cookie = this.result.get('COOKIE');
    if (!this.failure && exitCode === 0 && cookie) return { ok: true, cookie, fingerprint: this.result.get('FINGERPRINT') ?? null };
    if (this.failure) return { ok: false, ...this.failure };
    // Its last line is then the question itself, which says nothing about why.
    if (this.asking) return { ok: false, reason: `openconnect exited (${exitCode ?? 'killed'}) while the login waited for your answer`, logTail: this.lines.slice(-LOG_TAIL_LINES), loginProblem: null };
    const refused = refusal(this.lines);
    return {
      ok: false,
      reason: refused ?? failureReason(this.lines) ?? `openconnect exited (${exitCode ?? 'killed'})`,
      logTail: this.lines.slice(-LOG_TAIL_LINES),
      loginProblem: refused ? `the server refused the login: ${refused}` : null,
    };
  }
}
