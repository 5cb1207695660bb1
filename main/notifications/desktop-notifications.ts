// Native notifications for the bridge's events that a person at the desktop should see: GPU alerts that
// fired, phones that were just paired, and VPN reconnects that wait for an answer (a one-time code). The bridge side is a small interface (DesktopEventSource) so
// this file knows neither the GPU nor the pairing capability's insides; notifier.ts shows them natively.

/** A GPU alert rule that fired (the fields the desktop shows). */
export interface GpuAlertEvent {
  user_id: string;
  /** The rule's own words, e.g. "GPU 0 utilization under 5% for 10 minutes". */
  message: string;
  session_id?: string | null;
  host?: string | null;
  gpu_index?: number | null;
}

/** A phone that completed pairing. */
export interface PairedDeviceEvent {
  user_id: string;
  device_name: string;
}

/** An auto-reconnect of a user's VPN that cannot go on without the user's answer. */
export interface VpnAnswerNeededEvent {
  user_id: string;
  server: string;
  /** The server's own words, e.g. "One-time password (OATH) for `alice':". */
  message: string | null;
}

export interface DesktopEventSource {
  /** Subscribe; returns the unsubscribe function. */
  onAlert(listener: (alert: GpuAlertEvent) => void): () => void;
  onPaired(listener: (device: PairedDeviceEvent) => void): () => void;
  onVpnAnswerNeeded(listener: (event: VpnAnswerNeededEvent) => void): () => void;
}

/** What a notification shows, and the UI route a click opens. */
export interface DesktopNotice {
  title: string;
  body: string;
  route: string;
}

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export function gpuAlertNotice(alert: GpuAlertEvent): DesktopNotice {
  const where = [alert.host, alert.gpu_index === null || alert.gpu_index === undefined ? null : `GPU ${alert.gpu_index}`]
    .filter(Boolean)
    .join(' · ');
  return {
    title: clip(where ? `GPU alert: ${where}` : 'GPU alert', 80),
    body: clip(`${alert.message} (user ${alert.user_id})`, 240),
    route: `/gpus?${new URLSearchParams({ user: alert.user_id, ...(alert.session_id ? { session: alert.session_id } : {}) }).toString()}`,
  };
}

export function pairingNotice(device: PairedDeviceEvent): DesktopNotice {
  return {
    title: 'Phone paired',
    body: clip(`${device.device_name} can now reach Vigilink as ${device.user_id}.`, 240),
    route: '/devices',
  };
}

export function vpnAnswerNotice(event: VpnAnswerNeededEvent): DesktopNotice {
  return {
    title: 'VPN reconnect needs your answer',
    body: clip(`${event.server} (user ${event.user_id})${event.message ? `: ${event.message}` : ''}`, 240),
    route: `/vpn?${new URLSearchParams({ user: event.user_id }).toString()}`,
  };
}

/** Subscribe `show` to every event of the source; returns a function that unsubscribes them all. */
export function wireDesktopNotifications(source: DesktopEventSource, show: (notice: DesktopNotice) => void): () => void {
  const offAlert = source.onAlert((alert) => show(gpuAlertNotice(alert)));
  const offPaired = source.onPaired((device) => show(pairingNotice(device)));
  const offVpn = source.onVpnAnswerNeeded((event) => show(vpnAnswerNotice(event)));
  return () => {
    offAlert();
    offPaired();
    offVpn();
  };
}
