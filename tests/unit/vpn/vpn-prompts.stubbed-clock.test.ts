// The prompt registry on fake timers: answers checked against the form, one prompt per user, the time limit.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VpnPromptField } from '../../../bridge/contracts/vpn.js';
import { VpnPrompts } from '../../../bridge/vpn/vpn-prompts.js';

const code: VpnPromptField = { name: 'password1', label: 'Password1', type: 'password', options: [], one_time_code: true };
const group: VpnPromptField = { name: 'group', label: 'Group', type: 'select', options: [{ value: 'lab', label: 'Lab' }], one_time_code: false };
const form = (userId: string, fields: VpnPromptField[]) => ({ user_id: userId, server: 'vpn.example', title: 'Sign in', message: null, fields, reconnect: false });

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('VpnPrompts', () => {
  it('hands the answers on and announces the prompt and its end', async () => {
    const prompts = new VpnPrompts(120_000);
    const seen: Array<string | null> = [];
    prompts.on('prompt', (_user, prompt) => seen.push(prompt?.prompt_id ?? null));
    const answered = prompts.ask(form('alice', [group, code]));
    const prompt = prompts.current('alice')!;
    expect(prompt.expires_at).toBe(new Date(Date.now() + 120_000).toISOString());
    prompts.answer('alice', prompt.prompt_id, { group: 'lab', password1: '123456' });
    expect([...(await answered)]).toEqual([
      ['group', 'lab'],
      ['password1', '123456'],
    ]);
    expect(seen).toEqual([prompt.prompt_id, null]);
    expect(prompts.current('alice')).toBeNull();
  });

  it('refuses fields not asked, missing ones and choices not offered (400), changing nothing', () => {
    const prompts = new VpnPrompts(120_000);
    void prompts.ask(form('alice', [group, code])).catch(() => undefined);
    const { prompt_id: id } = prompts.current('alice')!;
    expect(() => prompts.answer('alice', id, { group: 'lab', password1: '1', constructor: 'x' })).toThrow(expect.objectContaining({ kind: 'invalid', message: expect.stringMatching(/answers\.constructor/) }));
    expect(() => prompts.answer('alice', id, { group: 'lab' })).toThrow(expect.objectContaining({ kind: 'invalid', message: 'answers: missing password1' }));
    expect(() => prompts.answer('alice', id, { group: 'campus', password1: '1' })).toThrow(expect.objectContaining({ kind: 'invalid' }));
    expect(prompts.current('alice')?.prompt_id).toBe(id);
  });

  it("answers 403 for another user's prompt and 404 for an unknown one", () => {
    const prompts = new VpnPrompts(120_000);
    void prompts.ask(form('alice', [code])).catch(() => undefined);
    const { prompt_id: id } = prompts.current('alice')!;
    expect(() => prompts.answer('bob', id, { password1: '1' })).toThrow(expect.objectContaining({ kind: 'forbidden' }));
    expect(() => prompts.answer('alice', 'nope', { password1: '1' })).toThrow(expect.objectContaining({ kind: 'not_found' }));
  });

  it('abandons a prompt nobody answers within the time limit; answering it then is 404', async () => {
    const prompts = new VpnPrompts(30_000);
    const answered = prompts.ask(form('alice', [code]));
    const { prompt_id: id } = prompts.current('alice')!;
    const outcome = answered.catch((error: Error) => error.message);
    vi.advanceTimersByTime(30_000);
    expect(await outcome).toBe('nobody answered the login form within 30 s');
    expect(() => prompts.answer('alice', id, { password1: '1' })).toThrow(expect.objectContaining({ kind: 'not_found' }));
  });

  it('withdraws a prompt whose login has ended (openconnect exited): announced gone, answering it is 404', async () => {
    const prompts = new VpnPrompts(120_000);
    const seen: Array<string | null> = [];
    prompts.on('prompt', (_user, prompt) => seen.push(prompt?.prompt_id ?? null));
    const loginEnd = new AbortController();
    const outcome = prompts.ask(form('alice', [code]), loginEnd.signal).catch((error: Error) => error.message);
    const { prompt_id: id } = prompts.current('alice')!;
    loginEnd.abort();
    expect(await outcome).toBe('the login form was abandoned: the login it belonged to has ended');
    expect(prompts.current('alice')).toBeNull();
    expect(seen).toEqual([id, null]);
    expect(() => prompts.answer('alice', id, { password1: '1' })).toThrow(expect.objectContaining({ kind: 'not_found' }));
    // A login that ended before it asked shows nothing at all.
    expect(await prompts.ask(form('alice', [code]), loginEnd.signal).catch((error: Error) => error.message)).toMatch(/has ended/);
    expect(seen).toEqual([id, null]);
  });

  it('keeps one prompt per user: a newer one abandons the older', async () => {
    const prompts = new VpnPrompts(30_000);
    const first = prompts.ask(form('alice', [code])).catch((error: Error) => error.message);
    void prompts.ask(form('alice', [group])).catch(() => undefined);
    expect(await first).toMatch(/abandoned: a newer login form replaced it/);
    expect(prompts.current('alice')?.fields).toEqual([group]);
  });
});
