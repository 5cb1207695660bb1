// Device tokens as bearer tokens: a paired device acts for its own user only (core/principal.ts).
import type { AuthenticationSource, Authenticator, Principal } from '../core/principal.js';
import type { DeviceRegistry } from './device-registry.js';

export class DeviceAuthenticator implements Authenticator {
  constructor(private readonly registry: DeviceRegistry) {}

  authenticate(token: string, source?: AuthenticationSource): Principal | null {
    const device = this.registry.findByToken(token);
    if (!device) return null;
    this.registry.touch(device.id, source?.clientAddress);
    return { kind: 'device', userId: device.userId, deviceId: device.id };
  }
}
