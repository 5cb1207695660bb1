// A user's VPN container as the bridge records it, and the read models built from the records: the
// status answer, the live-state snapshot and the owner's list of containers.
import type { VpnContainerList, VpnPrompt, VpnStatusResponse, VpnUserState } from '../contracts/vpn.js';
import { tunnelView } from './tunnel-record.js';
import type { TunnelHolder } from './tunnel-supervisor.js';

export interface VpnRecord extends TunnelHolder {
  startedAt: string;
}

/** Every user's container, for the owner's overview, by user. */
export function containerList(records: Iterable<VpnRecord>): VpnContainerList['containers'] {
  return [...records]
    .map((record) => ({
      user_id: record.userId,
      container_id: record.containerId,
      started_at: record.startedAt,
      state: record.tunnel?.state ?? 'none',
      ip: record.tunnel?.ip ?? null,
      server: record.tunnel?.request.server ?? null,
    }))
    .sort((a, b) => a.user_id.localeCompare(b.user_id));
}

/** The `vpn` section of a user's live state; `lastFailure` says why a connect left no container. */
export function userSnapshot(record: VpnRecord | undefined, lastFailure: string | null, prompt: VpnPrompt | null): VpnUserState {
  const view = tunnelView(record?.tunnel ?? null, record ? null : lastFailure);
  return { container_id: record?.containerId ?? null, ...view, prompt };
}

/** GET /vpn/status: connected when the tunnel is up, or when no tunnel was asked for (real=false). */
export function statusAnswer(record: VpnRecord, snapshot: VpnUserState): VpnStatusResponse {
  const { container_id: _id, prompt: _prompt, ...vpn } = snapshot;
  return { connected: vpn.state === 'up' || !record.tunnel, container_id: record.containerId, vpn };
}
