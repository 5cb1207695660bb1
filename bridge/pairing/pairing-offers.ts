// Pairing offers: one-time secrets bound to a user, valid for a short time. Kept in memory only (a
// restart voids them), hashed, and remembered a while after use or expiry so a refusal can say which.
import crypto from 'node:crypto';
import { AppError } from '../core/errors.js';
import type { ClaimRefusal } from '../contracts/pairing.js';
import { hashToken } from './device-registry.js';

/** 192 bits: far past guessing at 10 claims a minute, and short enough for a small QR code. */
const SECRET_BYTES = 24;
/** Used and expired offers are kept this long to answer "expired"/"used" rather than "unknown". */
const REMEMBER_MS = 10 * 60_000;
/** Open offers at once; the oldest is dropped past this (an owner script gone wrong cannot grow memory). */
const MAX_OFFERS = 64;

export interface PairingOffer {
  id: string;
  userId: string;
  deviceName: string | null;
  expiresAt: number;
}

interface OfferRecord extends PairingOffer {
  usedAt: number | null;
}

export interface PairingOffersOptions {
  ttlMs: number;
  now?: () => number;
}

const REFUSAL_TEXT: Record<ClaimRefusal, string> = {
  unknown: 'This pairing code is not valid: make a new QR code on the workstation',
  expired: 'This pairing code has expired: make a new QR code on the workstation',
  used: 'This pairing code was already used: make a new QR code on the workstation',
};

export class ClaimRefused extends AppError {
  constructor(
    readonly reason: ClaimRefusal,
    readonly offer: PairingOffer | null,
  ) {
    super('unauthorized', REFUSAL_TEXT[reason], { extra: { reason } });
  }
}

export class PairingOffers {
  private readonly bySecretHash = new Map<string, OfferRecord>();
  private readonly now: () => number;

  constructor(private readonly options: PairingOffersOptions) {
    this.now = options.now ?? Date.now;
  }

  create(userId: string, deviceName: string | null): { offer: PairingOffer; secret: string } {
    this.prune();
    const secret = crypto.randomBytes(SECRET_BYTES).toString('base64url');
    const record: OfferRecord = {
      id: `offer_${crypto.randomBytes(6).toString('hex')}`,
      userId,
      deviceName,
      expiresAt: this.now() + this.options.ttlMs,
      usedAt: null,
    };
    this.bySecretHash.set(hashToken(secret), record);
    while (this.bySecretHash.size > MAX_OFFERS) this.bySecretHash.delete(this.bySecretHash.keys().next().value!);
    return { offer: publicOffer(record), secret };
  }

  /** Take an offer by its secret: works once, before it expires. Throws ClaimRefused (401) otherwise. */
  claim(secret: string): PairingOffer {
    const record = this.bySecretHash.get(hashToken(secret));
    const now = this.now();
    if (!record) throw new ClaimRefused('unknown', null);
    if (record.usedAt !== null) throw new ClaimRefused('used', publicOffer(record));
    if (now >= record.expiresAt) throw new ClaimRefused('expired', publicOffer(record));
    record.usedAt = now;
    return publicOffer(record);
  }

  private prune(): void {
    const now = this.now();
    for (const [hash, record] of this.bySecretHash) {
      if (Math.max(record.expiresAt, record.usedAt ?? 0) + REMEMBER_MS < now) this.bySecretHash.delete(hash);
    }
  }
}

function publicOffer(record: OfferRecord): PairingOffer {
  return { id: record.id, userId: record.userId, deviceName: record.deviceName, expiresAt: record.expiresAt };
}
