// Wire shapes of phone pairing (offers, claims) and of the paired-device registry.
import { z } from 'zod';
import { UserId } from './common.js';

const DeviceName = z.string().trim().min(1).max(64).regex(/^[^\p{Cc}]+$/u, 'no control characters');

export const PairOfferBody = z
  .object({
    user_id: UserId.meta({ description: 'The user the new device will act for' }),
    device_name: DeviceName.optional().meta({ description: 'A name suggested for the device (the phone may give its own)' }),
    address: z.ipv4().optional().meta({ description: 'One of GET /api/pair/addresses to put in the URL (default: the first)' }),
  })
  .meta({ id: 'PairOfferRequest' });

export const PairOfferResponse = z
  .object({
    offer_id: z.string(),
    user_id: z.string(),
    url: z.string().meta({ description: 'https://<lan-address>:<port>/pair#<secret>: the secret rides in the fragment' }),
    expires_at: z.string().meta({ description: 'ISO time after which the secret no longer works' }),
    expires_in: z.number().meta({ description: 'Seconds' }),
    qr_svg: z.string().meta({ description: 'The URL as a QR code, SVG markup' }),
    qr_png: z.string().meta({ description: 'The URL as a QR code, a data:image/png;base64 URL' }),
  })
  .meta({ id: 'PairOffer' });

export const PairClaimBody = z
  .object({
    secret: z.string().min(1).max(256),
    device_name: DeviceName.optional(),
  })
  .meta({ id: 'PairClaimRequest' });

export const PairClaimResponse = z
  .object({
    device_id: z.string(),
    user_id: z.string(),
    device_name: z.string(),
    token: z.string().meta({ description: 'The device token, shown this once: send it as Authorization: Bearer <token>' }),
  })
  .meta({ id: 'PairClaim' });

/** Why a claim was refused (401 bodies carry it as `reason`). */
export const ClaimRefusal = z.enum(['unknown', 'expired', 'used']);
export type ClaimRefusal = z.infer<typeof ClaimRefusal>;

export const LanAddress = z
  .object({ interface: z.string(), address: z.string(), url: z.string() })
  .meta({ id: 'LanAddress' });

export const PairAddressesResponse = z
  .object({
    addresses: z.array(LanAddress).meta({ description: 'Every non-internal IPv4 address, primary first' }),
    public_url: z.string().nullable().meta({ description: 'VIGILINK_PUBLIC_URL, which overrides the LAN address when set' }),
  })
  .meta({ id: 'PairAddresses' });

export const DeviceListing = z
  .object({
    id: z.string(),
    user_id: z.string(),
    name: z.string(),
    created_at: z.string(),
    last_seen_at: z.string().nullable(),
    last_ip: z.string().nullable(),
  })
  .meta({ id: 'Device' });

export const DevicesQuery = z.object({ user_id: UserId.optional() });

export const DevicesResponse = z.object({ devices: z.array(DeviceListing) }).meta({ id: 'Devices' });

export const DeviceIdParams = z.object({ id: z.string().min(1).max(64) });

export const DeviceRevokeResponse = z
  .object({ revoked: z.literal(true), id: z.string(), user_id: z.string() })
  .meta({ id: 'DeviceRevoked' });

export type PairOfferResponse = z.infer<typeof PairOfferResponse>;
export type PairClaimResponse = z.infer<typeof PairClaimResponse>;
export type DeviceListing = z.infer<typeof DeviceListing>;
export type LanAddress = z.infer<typeof LanAddress>;
export type PairAddressesResponse = z.infer<typeof PairAddressesResponse>;
