// The desktop's copy of the bridge's live events (main/bridge-desktop-sources.ts): a real LiveEmitter
// bound to a stubbed socket.io server (records what reaches the rooms); GPU alerts and pairings reach the
// desktop listeners and still reach the sockets, and a failing listener never reaches the sender.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../bridge/core/logger.js';
import type { FiredAlert } from '../../../bridge/contracts/gpu.js';
import { LiveEmitter, OWNER_ROOM, userRoom, type BridgeIo } from '../../../bridge/transport/socket-server.js';
import { liveDesktopEvents } from '../../../main/bridge-desktop-sources.js';
import type { GpuAlertEvent, PairedDeviceEvent, VpnAnswerNeededEvent } from '../../../main/notifications/desktop-notifications.js';

function setup() {
  const sent: { room: string; event: string; args: unknown[] }[] = [];
  const io = { to: (room: string) => ({ emit: (event: string, ...args: unknown[]) => void sent.push({ room, event, args }) }) };
  const live = new LiveEmitter();
  live.bind(io as unknown as BridgeIo);
  const logLines: string[] = [];
  const logger = createLogger({ level: 'warn', destination: { write: (l: string) => void logLines.push(l) } });
  return { live, sent, source: liveDesktopEvents(live, logger), logLines };
}

const alert: FiredAlert = {
  id: 'alert-1',
  type: 'gpu',
  rule_id: 'rule-1',
  kind: 'utilization_below',
  user_id: 'alice',
  session_id: 'default',
  host: 'gpu01',
  gpu_index: 2,
  gpu_uuid: null,
  value: 3,
  message: 'GPU 2 utilization under 5% for 10 minutes',
  fired_at: '2026-11-28T10:00:00.000Z',
};

const device = { id: 'dev-1', user_id: 'bob', name: 'Pixel 9', created_at: '2026-11-28T10:00:00.000Z', last_seen_at: null, last_ip: null };

describe('live desktop events (stubbed socket.io server)', () => {
  it('hears GPU alerts sent to a user, and the sockets still get them', () => {
    const { live, sent, source } = setup();
    const heard: GpuAlertEvent[] = [];
    source.onAlert((a) => heard.push(a));
    live.toUser('alice', 'alert', alert);
    expect(heard).toEqual([{ user_id: 'alice', session_id: 'default', message: alert.message, host: 'gpu01', gpu_index: 2 }]);
    expect(sent).toEqual([{ room: userRoom('alice'), event: 'alert', args: [alert] }]);
  });

  it('hears pairings sent to owners, and the sockets still get them', () => {
    const { live, sent, source } = setup();
    const heard: PairedDeviceEvent[] = [];
    source.onPaired((d) => heard.push(d));
    live.toOwners('pair:claimed', { offer_id: 'offer-1', device });
    expect(heard).toEqual([{ user_id: 'bob', device_name: 'Pixel 9' }]);
    expect(sent).toEqual([{ room: OWNER_ROOM, event: 'pair:claimed', args: [{ offer_id: 'offer-1', device }] }]);
  });

  it("hears a reconnect's VPN prompt, not a connect's and not its end", () => {
    const { live, source } = setup();
    const heard: VpnAnswerNeededEvent[] = [];
    source.onVpnAnswerNeeded((e) => heard.push(e));
    const prompt = { prompt_id: 'p', user_id: 'bob', server: 'https://vpn', title: 'Sign in to vpn', message: 'One-time password', fields: [], expires_at: '2026-11-30T05:00:00.000Z' };
    live.toUser('bob', 'vpn:prompt', { user_id: 'bob', prompt: { ...prompt, reconnect: false } });
    live.toUser('bob', 'vpn:prompt', { user_id: 'bob', prompt: { ...prompt, reconnect: true } });
    live.toUser('bob', 'vpn:prompt', { user_id: 'bob', prompt: null });
    expect(heard).toEqual([{ user_id: 'bob', server: 'https://vpn', message: 'One-time password' }]);
  });

  it('ignores other events and stops after unsubscribing', () => {
    const { live, sent, source } = setup();
    const heard: unknown[] = [];
    const off = source.onAlert((a) => heard.push(a));
    live.toUser('alice', 'term:exit', { terminal_id: 't', code: 0 } as never);
    off();
    live.toUser('alice', 'alert', alert);
    expect(heard).toEqual([]);
    expect(sent.map((s) => s.event)).toEqual(['term:exit', 'alert']);
  });

  it('logs a failing listener instead of throwing into the capability that sent the event', () => {
    const { live, source, logLines } = setup();
    source.onPaired(() => {
      throw new Error('no notification daemon');
    });
    expect(() => live.toOwners('pair:claimed', { offer_id: 'o', device })).not.toThrow();
    expect(logLines.join('')).toContain('desktop notification failed');
  });
});
