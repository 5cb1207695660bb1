// The desktop's glue against a real bridge (createBridge on loopback, real pairing over HTTP): the tray
// status follows the bridge's state events, and a phone that claims a pairing offer reaches the
// desktop's notification source. Electron itself is not involved (it cannot run here).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startBridge, type TestBridge } from '../support/bridge.js';
import { liveDesktopEvents } from '../../main/bridge-desktop-sources.js';
import type { PairedDeviceEvent } from '../../main/notifications/desktop-notifications.js';
import { TrayStatusWatcher } from '../../main/tray/tray-status.js';
import { bridgeOrigin, listensOnLoopback } from '../../main/security/web-security.policy.js';
import { connectSocket } from '../support/live-client.js';
import { eventually } from '../support/eventually.js';
import type { TrayStatus } from '../../main/tray/tray-menu.model.js';

describe('desktop wiring on a real bridge', () => {
  let test: TestBridge;
  beforeEach(async () => {
    test = await startBridge();
  });
  afterEach(async () => {
    await test.close();
  });

  it('re-renders the tray when a capability reports a change', async () => {
    const { context, vpn } = test.bridge;
    const rendered: TrayStatus[] = [];
    const watcher = new TrayStatusWatcher({
      sources: { sessions: context.sessions, containers: () => vpn.containerCount(), openAtLogin: async () => false },
      changes: context.state,
      render: (s) => rendered.push(s),
      onError: (e) => {
        throw e;
      },
      coalesceMs: 10,
    });
    try {
      await watcher.refresh();
      expect(rendered).toEqual([{ activeSessions: 0, containers: 0, openAtLogin: false }]);
      // What the VPN capability does when a container starts: VpnService has it, then the user's state changes.
      vi.spyOn(vpn, 'containerCount').mockReturnValue(1);
      context.state.notify('alice');
      await eventually('the second render', () => rendered.length === 2, { timeoutMs: 5000, intervalMs: 10 });
      expect(rendered[1]).toEqual({ activeSessions: 0, containers: 1, openAtLogin: false });
    } finally {
      watcher.stop();
    }
  });

  it('hears a phone pairing completed over HTTP', async () => {
    const heard: PairedDeviceEvent[] = [];
    liveDesktopEvents(test.bridge.context.live, test.bridge.logger).onPaired((d) => heard.push(d));
    const offer = await test.api<{ url: string }>('POST', '/api/pair/offer', { user_id: 'alice' });
    expect(offer.status).toBe(200);
    const secret = new URL(offer.body.url).hash.slice(1);
    const claim = await test.api('POST', '/api/pair/claim', { secret, device_name: 'Pixel 9' }, { token: null });
    expect(claim.status).toBe(200);
    expect(heard).toEqual([{ user_id: 'alice', device_name: 'Pixel 9' }]);
  });
});

describe('the window loads from loopback whatever VIGILINK_HOST is', () => {
  it('answers HTTP and socket.io on 127.0.0.1 when the bridge listens on another address', async () => {
    // 127.0.0.2 stands in for a LAN address or a DNS name's answer: the bridge's own listener is not on 127.0.0.1.
    const other = await startBridge({ VIGILINK_HOST: '127.0.0.2' });
    try {
      expect(listensOnLoopback(other.bridge.config.host)).toBe(false);
      const port = await other.bridge.listenLoopback();
      const origin = bridgeOrigin(port);
      expect(origin).toBe(`http://127.0.0.1:${port}`);
      expect(await (await fetch(`${origin}/healthz`)).json()).toEqual({ status: 'ok' });
      const socket = await connectSocket(origin, { token: other.bridge.ownerToken });
      expect(socket.connected).toBe(true);
      socket.close();
    } finally {
      await other.close();
    }
  });
});
