// The overview's pieces: the users every section knows (deduplicated, sorted, extra sources added) and one
// user's counts from their state.
import { describe, expect, it } from 'vitest';
import { overviewUser } from '../../../bridge/live/overview.service.js';
import { UserStateService } from '../../../bridge/live/user-state.service.js';
import type { UserState } from '../../../bridge/contracts/socket.js';

describe('UserStateService.knownUsers', () => {
  it('joins the users of every section and the extra ones, once each, sorted', () => {
    const state = new UserStateService();
    state.addSection('ssh', { snapshot: () => ({ sessions: [] }), users: () => ['bob', 'alice'] });
    state.addSection('devices', { snapshot: () => [], users: () => ['carol', 'alice'] });
    // A section that names no users (as a capability without its own users would) adds none.
    state.addSection('gpu', { snapshot: () => ({ sessions: [] }) });
    expect(state.knownUsers(['dave', 'bob'])).toEqual(['alice', 'bob', 'carol', 'dave']);
    // User ids are data: names of Object.prototype's members are users like any other.
    state.addSection('vpn', { snapshot: () => null, users: () => ['constructor', '__proto__'] });
    expect(state.knownUsers()).toEqual(['__proto__', 'alice', 'bob', 'carol', 'constructor']);
  });
});

describe('overviewUser', () => {
  it('counts active and dropped sessions, devices, terminals, GPU watches, forwards and the container', () => {
    const session = { hostname: 'h', username: 'u', port: 22, connected_at: '2026-11-30T00:00:00Z', via_jump: null };
    const state = {
      user_id: 'alice',
      ssh: {
        sessions: [
          { ...session, session_id: 'a', active: true, reason: null },
          { ...session, session_id: 'b', active: false, reason: 'server closed the connection' },
        ],
      },
      devices: [{ id: 'd1', user_id: 'alice', name: 'Pixel', created_at: '2026-11-30T00:00:00Z', last_seen_at: null, last_ip: null }],
      vpn: { container_id: 'c1', state: 'up' },
      gpu: { sessions: [{ session_id: 'a' }] },
      forwards: { forwards: [{ forward_id: 'f1' }, { forward_id: 'f2' }] },
    } as unknown as UserState;
    expect(overviewUser(state, 2).counts).toEqual({ active_sessions: 1, dropped_sessions: 1, devices: 1, terminals: 2, gpu_watches: 1, forwards: 2, container: true });
  });
});
