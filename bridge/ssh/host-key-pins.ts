// The owner's view of host-key pins: each pin with its route in words, and route keys from requests read
// back into routes (a malformed one is a 400).
import type { HostKeyPin } from '../contracts/ssh.js';
import { AppError } from '../core/errors.js';
import { parseRouteKey, type HostKeyStore, type HostRoute } from './host-keys.js';

export function routeLabel(route: HostRoute): string {
  const jump = route.jump === null ? null : `jump host ${route.jump.replace(/^\[(.*)\]/, '$1')}`;
  if (route.containerUser === null) return jump === null ? 'direct' : `via ${jump}`;
  return `via user ${route.containerUser}'s VPN container${jump === null ? '' : `, then ${jump}`}`;
}

export function hostKeyPinListing(hostKeys: HostKeyStore): HostKeyPin[] {
  return hostKeys.list().map((pin) => {
    const route = parseRouteKey(pin.route);
    return { ...pin, route_label: route ? routeLabel(route) : pin.route };
  });
}

export function parseRouteKeyOrThrow(key: string): HostRoute {
  const route = parseRouteKey(key);
  if (!route) throw new AppError('invalid', "route: expected 'direct', 'container:<user_id>', 'jump:[host]:port' or a container and a jump host joined by a space");
  return route;
}
