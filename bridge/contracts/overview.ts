// Wire shape of the owner's overview: every user the bridge knows and what the workstation does for them.
import { z } from 'zod';
import { Forward } from './forwards.js';
import { GpuWatchStatus } from './gpu.js';
import { DeviceListing } from './pairing.js';
import { SshSessionListing } from './ssh.js';
import { VpnUserState } from './vpn.js';

export const OverviewUser = z
  .object({
    user_id: z.string(),
    sessions: z.array(SshSessionListing).meta({ description: 'Active and dropped (with the reason) SSH sessions' }),
    vpn: VpnUserState,
    devices: z.array(DeviceListing),
    terminals: z.number().int().meta({ description: 'Open terminals' }),
    gpu: GpuWatchStatus,
    forwards: z.array(Forward).meta({ description: 'Open port forwards' }),
    counts: z.object({
      active_sessions: z.number().int(),
      dropped_sessions: z.number().int(),
      devices: z.number().int(),
      terminals: z.number().int(),
      gpu_watches: z.number().int(),
      forwards: z.number().int(),
      container: z.boolean(),
    }),
  })
  .meta({ id: 'OverviewUser' });

export const Overview = z
  .object({
    users: z.array(OverviewUser).meta({ description: 'Sorted by user id' }),
    totals: z.object({ users: z.number().int(), active_sessions: z.number().int(), containers: z.number().int() }),
  })
  .meta({ id: 'Overview' });

export type OverviewUser = z.infer<typeof OverviewUser>;
export type Overview = z.infer<typeof Overview>;
