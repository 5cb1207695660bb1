// Wire shapes of the audit log: one JSON line per security-relevant event in $VIGILINK_DATA_DIR/audit.log.
import { z } from 'zod';
import { UserId } from './common.js';

/** Every kind of audited event; a capability that records a new kind adds it here. */
export const AuditEventKind = z.enum([
  'pair.offer',
  'pair.claim',
  'device.revoke',
  'ssh.connect',
  'ssh.disconnect',
  'ssh.drop',
  'vpn.connect',
  'vpn.disconnect',
  'command.run',
  'terminal.open',
  'terminal.close',
  'file.mkdir',
  'file.rename',
  'file.delete',
  'file.save',
  'file.upload',
  'forward.open',
  'forward.close',
]);
export type AuditEventKind = z.infer<typeof AuditEventKind>;

/** A detail value: scalars only, so a line never carries a nested blob of output or a secret by accident. */
const AuditDetail = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const AuditEntry = z
  .object({
    ts: z.string().meta({ description: 'ISO time' }),
    event: AuditEventKind,
    ok: z.boolean().meta({ description: 'false for a refused or failed attempt' }),
    user_id: z.string().nullable(),
    actor: z.enum(['owner', 'device', 'system', 'anonymous']).meta({ description: 'Who did it: system for drops, anonymous for claims' }),
    device_id: z.string().nullable(),
    client_address: z.string().nullable(),
    details: z.record(z.string(), AuditDetail),
  })
  .meta({ id: 'AuditEntry' });

export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  user_id: UserId.optional().meta({ description: 'Only this user’s events' }),
});

export const AuditResponse = z
  .object({ entries: z.array(AuditEntry).meta({ description: 'Newest last' }) })
  .meta({ id: 'AuditLog' });

export type AuditEntry = z.infer<typeof AuditEntry>;
export type AuditDetails = Record<string, z.infer<typeof AuditDetail>>;
