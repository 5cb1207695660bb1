// Pairing a phone with the workstation: the owner makes an offer (a one-time secret in a QR code), the
// phone claims it and gets a device token for one user; devices are listed and revoked here too.
import type { AuditLog, AuditSource } from '../audit/audit-log.js';
import type { DeviceListing, PairAddressesResponse, PairClaimResponse, PairOfferResponse } from '../contracts/pairing.js';
import type { AbortRegistry } from '../core/abort-registry.js';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { LiveEvents } from '../core/live-events.js';
import type { ClaimRateLimiter } from './claim-rate-limiter.js';
import type { DeviceRegistry } from './device-registry.js';
import { httpsBase, lanAddresses, type InterfaceAddress } from '../tls/lan-addresses.js';
import { ClaimRefused, type PairingOffers } from './pairing-offers.js';
import { qrImages } from '../tls/qr-images.js';

export interface PairingServiceOptions {
  registry: DeviceRegistry;
  offers: PairingOffers;
  limiter: ClaimRateLimiter;
  audit: AuditLog;
  live: LiveEvents;
  /** Each device's requests in flight (transport/http-app tracks them); revoke aborts them. */
  deviceWork: AbortRegistry;
  logger: Logger;
  /** VIGILINK_PUBLIC_URL: replaces https://<lan-address>:<port> in pairing URLs. */
  publicUrl: string | null;
  /** VIGILINK_HOST: when it is one address rather than all, that is the only one a phone can reach. */
  bindHost: string;
  /** The LAN addresses (a seam for tests; default: this machine's). */
  addresses?: () => InterfaceAddress[];
}

export interface OfferRequest {
  userId: string;
  deviceName: string | null;
  /** One of addresses() to put in the URL; default the primary one. */
  address: string | undefined;
  /** The port the bridge answered on, and the local address as a last resort when there is no LAN. */
  local: { port: number; address: string };
  source: AuditSource;
}

const DEFAULT_DEVICE_NAME = 'phone';

export class PairingService {
  private readonly addressesOf: () => InterfaceAddress[];

  constructor(private readonly options: PairingServiceOptions) {
    this.addressesOf = options.addresses ?? (() => lanAddresses());
  }

  addresses(port: number): PairAddressesResponse {
    return {
      addresses: this.addressesOf().map((a) => ({ ...a, url: httpsBase(a.address, port) })),
      public_url: this.options.publicUrl,
    };
  }

  async offer(request: OfferRequest): Promise<PairOfferResponse> {
    const base = this.options.publicUrl ?? this.lanBase(request);
    const { offer, secret } = this.options.offers.create(request.userId, request.deviceName);
    // The secret rides in the fragment: browsers never send it, so no server or proxy log sees it.
    const url = `${base}/pair#${secret}`;
    const qr = await qrImages(url);
    this.options.audit.record({
      event: 'pair.offer',
      userId: request.userId,
      source: request.source,
      details: { offer_id: offer.id, base_url: base, expires_at: new Date(offer.expiresAt).toISOString() },
    });
    return {
      offer_id: offer.id,
      user_id: offer.userId,
      url,
      expires_at: new Date(offer.expiresAt).toISOString(),
      expires_in: Math.round((offer.expiresAt - Date.now()) / 1000),
      qr_svg: qr.svg,
      qr_png: qr.png,
    };
  }

  private lanBase(request: OfferRequest): string {
    const addresses = this.addressesOf();
    if (request.address !== undefined) {
      if (!addresses.some((a) => a.address === request.address)) {
        throw new AppError('invalid', `address: ${request.address} is not one of this machine's LAN addresses (GET /api/pair/addresses)`);
      }
      return httpsBase(request.address, request.local.port);
    }
    const listeningOnAll = this.options.bindHost === '0.0.0.0' || this.options.bindHost === '::';
    return httpsBase(listeningOnAll ? (addresses[0]?.address ?? request.local.address) : this.options.bindHost, request.local.port);
  }

  /** Exchange a pairing secret for a device token. Rate limited per client address. */
  async claim(secret: string, deviceName: string | undefined, clientAddress: string): Promise<PairClaimResponse> {
    const source: AuditSource = { principal: null, clientAddress };
    const decision = this.options.limiter.take(clientAddress);
    if (!decision.allowed) {
      this.options.logger.warn({ event: 'pair.claim_rate_limited', client_address: clientAddress }, 'pairing claims rate limited');
      throw new AppError('rate_limited', `Too many pairing attempts from this address: try again in ${decision.retryAfterSeconds} s`, {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
    }
    let offer;
    try {
      offer = this.options.offers.claim(secret);
    } catch (error) {
      if (error instanceof ClaimRefused) {
        this.options.audit.record({
          event: 'pair.claim',
          ok: false,
          userId: error.offer?.userId ?? null,
          source,
          details: { reason: error.reason, offer_id: error.offer?.id ?? null },
        });
      }
      throw error;
    }
    const name = deviceName ?? offer.deviceName ?? DEFAULT_DEVICE_NAME;
    const { device, token } = await this.options.registry.add(offer.userId, name);
    this.options.audit.record({
      event: 'pair.claim',
      userId: offer.userId,
      source: { principal: { kind: 'device', userId: offer.userId, deviceId: device.id }, clientAddress },
      details: { offer_id: offer.id, device_name: name },
    });
    this.options.live.toOwners('pair:claimed', { offer_id: offer.id, device });
    return { device_id: device.id, user_id: device.user_id, device_name: device.name, token };
  }

  /** All devices (owner, no user named) or one user's. */
  list(userId: string | undefined): DeviceListing[] {
    return this.options.registry.list(userId);
  }

  /**
   * Revoke a device: its token stops working at once and its open sockets are cut. `actFor` is the
   * caller's authorization check (a device may only revoke devices of its own user).
   */
  async revoke(id: string, actFor: (userId: string) => string, source: AuditSource): Promise<DeviceListing> {
    const device = this.options.registry.get(id);
    if (!device) throw new AppError('not_found', `No paired device '${id}'`);
    actFor(device.user_id);
    // The token is out of the registry as soon as revoke() is called; cut the sockets before the file is written.
    const saved = this.options.registry.revoke(id);
    // Its sockets go (their terminals close with them) and its requests in flight end: commands are killed, downloads cut.
    this.options.live.disconnectWhere((data) => data.principal.kind === 'device' && data.principal.deviceId === id);
    this.options.deviceWork.abort(id, new AppError('unauthorized', 'This device was revoked'));
    const revoked = await saved;
    this.options.audit.record({
      event: 'device.revoke',
      userId: revoked.user_id,
      source,
      details: { revoked_device_id: revoked.id, device_name: revoked.name },
    });
    return revoked;
  }
}
