// A port that the VPN plug-in implements and shared code may use: a byte stream to host:port leaving from
// the user's VPN container (socat), or null when the user has no container with a tunnel up.
import type { Duplex } from 'node:stream';

export type ContainerStreamOpener = (userId: string, host: string, port: number) => Promise<Duplex | null>;
