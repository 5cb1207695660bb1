// VPN login forms waiting for a person: at most one per user, answered over REST or socket.io, abandoned
// when nobody answers within VPN_PROMPT_TIMEOUT_SECONDS. Answers live here only until they are handed on.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AppError } from '../core/errors.js';
import type { VpnPrompt, VpnPromptField } from '../contracts/vpn.js';

export type PromptRequest = Omit<VpnPrompt, 'prompt_id' | 'expires_at'>;

interface Pending {
  prompt: VpnPrompt;
  resolve(answers: Map<string, string>): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  /** Stops listening to the login's end (the form was settled first). */
  detach(): void;
}

const loginEnded = (): AppError => new AppError('conflict', 'the login form was abandoned: the login it belonged to has ended');

type Events = { prompt: [userId: string, prompt: VpnPrompt | null] };

/** Every field answered, nothing else, and a select's value one of its options. */
export function checkAnswers(fields: readonly VpnPromptField[], answers: Record<string, string>): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(answers)) {
    const field = fields.find((f) => f.name === name);
    if (!field) throw new AppError('invalid', `answers.${name}: this form has no such field (it asks for: ${fields.map((f) => f.name).join(', ')})`);
    if (field.type === 'select' && !field.options.some((option) => option.value === value)) {
      throw new AppError('invalid', `answers.${name}: must be one of ${field.options.map((option) => option.value).join(', ')}`);
    }
    values.set(name, value);
  }
  const missing = fields.filter((field) => !values.has(field.name)).map((field) => field.name);
  if (missing.length > 0) throw new AppError('invalid', `answers: missing ${missing.join(', ')}`);
  return values;
}

export class VpnPrompts extends EventEmitter<Events> {
  private readonly pending = new Map<string, Pending>();
  private readonly byUser = new Map<string, string>();

  constructor(private readonly timeoutMs: number) {
    super();
    this.setMaxListeners(0);
  }

  /**
   * Show a form to the user; resolves with the answers, rejects when it is abandoned or times out. `loginEnd`
   * aborts when the login that asks has ended (openconnect exited): the form goes, since no answer can help.
   */
  ask(request: PromptRequest, loginEnd?: AbortSignal): Promise<Map<string, string>> {
    this.cancel(request.user_id, 'a newer login form replaced it');
    if (loginEnd?.aborted) return Promise.reject(loginEnded());
    const prompt: VpnPrompt = {
      ...request,
      prompt_id: crypto.randomBytes(12).toString('base64url'),
      expires_at: new Date(Date.now() + this.timeoutMs).toISOString(),
    };
    return new Promise((resolve, reject) => {
      const seconds = Math.round(this.timeoutMs / 1000);
      const timer = setTimeout(() => this.settle(prompt.prompt_id, new AppError('upstream_timeout', `nobody answered the login form within ${seconds} s`)), this.timeoutMs);
      timer.unref();
      const onLoginEnd = (): void => this.settle(prompt.prompt_id, loginEnded());
      loginEnd?.addEventListener('abort', onLoginEnd, { once: true });
      const detach = (): void => loginEnd?.removeEventListener('abort', onLoginEnd);
      this.pending.set(prompt.prompt_id, { prompt, resolve, reject, timer, detach });
      this.byUser.set(prompt.user_id, prompt.prompt_id);
      this.emit('prompt', prompt.user_id, prompt);
    });
  }

  current(userId: string): VpnPrompt | null {
    const id = this.byUser.get(userId);
    return (id !== undefined && this.pending.get(id)?.prompt) || null;
  }

  /** 404: no such prompt (answered, abandoned, expired); 403: another user's; 400: fields not asked or missing. */
  answer(userId: string, promptId: string, answers: Record<string, string>): void {
    const pending = this.pending.get(promptId);
    if (!pending) throw new AppError('not_found', `No VPN login form '${promptId}' is waiting: it was answered, abandoned or has expired`);
    if (pending.prompt.user_id !== userId) throw new AppError('forbidden', 'That VPN login form belongs to another user');
    this.settle(promptId, null, checkAnswers(pending.prompt.fields, answers));
  }

  /** Abandon the user's waiting form (disconnect, a new connect); its login fails with `reason`. */
  cancel(userId: string, reason: string): void {
    const id = this.byUser.get(userId);
    if (id !== undefined) this.settle(id, new AppError('conflict', `the login form was abandoned: ${reason}`));
  }

  close(): void {
    for (const pending of [...this.pending.values()]) this.cancel(pending.prompt.user_id, 'the bridge is shutting down');
  }

  private settle(id: string, error: Error | null, answers?: Map<string, string>): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    clearTimeout(pending.timer);
    pending.detach();
    this.pending.delete(id);
    const userId = pending.prompt.user_id;
    if (this.byUser.get(userId) === id) this.byUser.delete(userId);
    if (error) pending.reject(error);
    else pending.resolve(answers ?? new Map());
    this.emit('prompt', userId, null);
  }
}
