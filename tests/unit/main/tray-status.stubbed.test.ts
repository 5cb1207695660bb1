// The tray's numbers (main/tray/tray-status.ts) read from stubbed session and container counters, and
// re-rendered on the state service's `changed` events (a real EventEmitter), coalesced.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { countActiveSessions, readTrayStatus, TrayStatusWatcher, type SessionLister } from '../../../main/tray/tray-status.js';
import type { TrayStatus } from '../../../main/tray/tray-menu.model.js';

function sessions(byUser: Record<string, boolean[]>): SessionLister {
  return { users: () => Object.keys(byUser), list: (user) => (byUser[user] ?? []).map((active) => ({ active })) };
}

describe('tray status (stubbed counters)', () => {
  it('counts only active sessions, across every user', () => {
    expect(countActiveSessions(sessions({ alice: [true, false, true], bob: [true], carol: [false] }))).toBe(3);
    expect(countActiveSessions(sessions({}))).toBe(0);
  });

  it('reads containers and the login setting; no container counter gives null', async () => {
    const base = { sessions: sessions({ alice: [true] }), openAtLogin: async () => true };
    await expect(readTrayStatus({ ...base, containers: async () => 2 })).resolves.toEqual({ activeSessions: 1, containers: 2, openAtLogin: true });
    await expect(readTrayStatus(base)).resolves.toEqual({ activeSessions: 1, containers: null, openAtLogin: true });
  });

  it('re-renders once per burst of changes, and only when the numbers differ', async () => {
    const byUser: Record<string, boolean[]> = { alice: [true] };
    const state = new EventEmitter();
    const rendered: TrayStatus[] = [];
    const watcher = new TrayStatusWatcher({
      sources: { sessions: sessions(byUser), openAtLogin: async () => false },
      changes: state,
      render: (s) => rendered.push(s),
      onError: (e) => {
        throw e;
      },
      coalesceMs: 20,
    });
    await watcher.refresh();
    expect(rendered.map((s) => s.activeSessions)).toEqual([1]);

    byUser.alice = [true, true];
    for (let i = 0; i < 50; i++) state.emit('changed', 'alice');
    await eventually('the second render', () => rendered.length === 2, { timeoutMs: 2000, intervalMs: 5 });
    expect(rendered[1]!.activeSessions).toBe(2);

    state.emit('changed', 'alice'); // nothing changed: no re-render
    await new Promise((r) => setTimeout(r, 60));
    expect(rendered).toHaveLength(2);

    watcher.stop();
    expect(state.listenerCount('changed')).toBe(0);
  });

  it('reports a failing read instead of throwing', async () => {
    const errors: unknown[] = [];
    const watcher = new TrayStatusWatcher({
      sources: { sessions: sessions({}), openAtLogin: async () => Promise.reject(new Error('no login items')) },
      changes: new EventEmitter(),
      render: () => undefined,
      onError: (e) => errors.push(e),
    });
    await watcher.refresh();
    expect(errors).toHaveLength(1);
    watcher.stop();
  });
});
