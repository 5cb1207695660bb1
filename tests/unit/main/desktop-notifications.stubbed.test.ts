// Native notification texts for GPU alerts and new pairings (main/notifications/desktop-notifications.ts),
// wired to a stubbed DesktopEventSource.
import { describe, expect, it } from 'vitest';
import {
  gpuAlertNotice,
  pairingNotice,
  vpnAnswerNotice,
  wireDesktopNotifications,
  type DesktopEventSource,
  type DesktopNotice,
  type GpuAlertEvent,
  type PairedDeviceEvent,
  type VpnAnswerNeededEvent,
} from '../../../main/notifications/desktop-notifications.js';

function stubSource() {
  const alerts = new Set<(a: GpuAlertEvent) => void>();
  const paired = new Set<(d: PairedDeviceEvent) => void>();
  const vpn = new Set<(e: VpnAnswerNeededEvent) => void>();
  const source: DesktopEventSource = {
    onAlert: (cb) => (alerts.add(cb), () => void alerts.delete(cb)),
    onPaired: (cb) => (paired.add(cb), () => void paired.delete(cb)),
    onVpnAnswerNeeded: (cb) => (vpn.add(cb), () => void vpn.delete(cb)),
  };
  return { source, alerts, paired, vpn };
}

describe('desktop notifications', () => {
  it('words a GPU alert with its host, GPU and user, and links to the GPU view of that session', () => {
    const notice = gpuAlertNotice({ user_id: 'alice', session_id: 'lab', host: 'gpu01', gpu_index: 0, message: 'GPU 0 utilization under 5% for 10 minutes' });
    expect(notice).toEqual({
      title: 'GPU alert: gpu01 · GPU 0',
      body: 'GPU 0 utilization under 5% for 10 minutes (user alice)',
      route: '/gpus?user=alice&session=lab',
    });
  });

  it('copes with an alert without host or GPU, and keeps long texts short', () => {
    expect(gpuAlertNotice({ user_id: 'a b&c', message: 'm' })).toMatchObject({ title: 'GPU alert', route: '/gpus?user=a+b%26c' });
    const long = gpuAlertNotice({ user_id: 'u', host: 'h'.repeat(200), gpu_index: 3, message: 'x'.repeat(1000) });
    expect(long.title.length).toBeLessThanOrEqual(80);
    expect(long.body.length).toBeLessThanOrEqual(240);
    expect(long.body.endsWith('…')).toBe(true);
  });

  it('words a new pairing and links to the devices view', () => {
    expect(pairingNotice({ user_id: 'alice', device_name: "Alice's Pixel" })).toEqual({
      title: 'Phone paired',
      body: "Alice's Pixel can now reach Vigilink as alice.",
      route: '/devices',
    });
  });

  it("words a VPN reconnect that waits for an answer with the server's message, and links to the VPN view", () => {
    expect(vpnAnswerNotice({ user_id: 'alice', server: 'https://vpn.uni.example', message: "One-time password (OATH) for `alice':" })).toEqual({
      title: 'VPN reconnect needs your answer',
      body: "https://vpn.uni.example (user alice): One-time password (OATH) for `alice':",
      route: '/vpn?user=alice',
    });
  });

  it('shows one notice per event and unsubscribes them all', () => {
    const { source, alerts, paired, vpn } = stubSource();
    const shown: DesktopNotice[] = [];
    const stop = wireDesktopNotifications(source, (n) => shown.push(n));
    for (const cb of alerts) cb({ user_id: 'alice', message: 'memory on GPU 1 freed', gpu_index: 1, host: 'h' });
    for (const cb of paired) cb({ user_id: 'bob', device_name: 'iPhone' });
    for (const cb of vpn) cb({ user_id: 'bob', server: 'vpn', message: null });
    expect(shown.map((n) => n.title)).toEqual(['GPU alert: h · GPU 1', 'Phone paired', 'VPN reconnect needs your answer']);
    stop();
    expect(alerts.size + paired.size + vpn.size).toBe(0);
  });
});
