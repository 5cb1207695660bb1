// conns.json: per-user connection metadata (the earlier backend's .vigilink_conns.json). Never a secret:
// credentials stay in memory, so sessions loaded at start come back listed as inactive.
import path from 'node:path';
import { JsonFileWriter, readJson } from './atomic-json.js';

export interface StoredSession {
  hostname: string;
  username: string;
  port: number;
  connected_at: string;
  via_jump: string | null;
  host_key_fingerprint: string | null;
}

export interface UserConns {
  sessions: Record<string, StoredSession>;
  /** The user's VPN container, when one exists (filled by the VPN module). */
  container_id?: string | null;
  container_started_at?: string | null;
}

interface ConnsFile {
  version: 1;
  users: Record<string, UserConns>;
}

export class ConnsStore {
  // A Map: user ids such as 'constructor' or 'valueOf' are valid, and must not find Object.prototype.
  private users = new Map<string, UserConns>();
  private readonly writer: JsonFileWriter<ConnsFile>;
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'conns.json');
    this.writer = new JsonFileWriter(this.file);
  }

  async load(): Promise<void> {
    const data = await readJson<ConnsFile>(this.file, { version: 1, users: {} });
    this.users = new Map(Object.entries(data.users ?? {}).map(([userId, user]) => [userId, { ...user, sessions: sessionsOf(user.sessions) }]));
  }

  allUsers(): ReadonlyMap<string, Readonly<UserConns>> {
    return this.users;
  }

  user(userId: string): Readonly<UserConns> | undefined {
    return this.users.get(userId);
  }

  /** Apply a change to one user's record and persist it. Users left with nothing are dropped. */
  update(userId: string, change: (user: UserConns) => void): Promise<void> {
    const user = this.users.get(userId) ?? { sessions: sessionsOf({}) };
    change(user);
    if (Object.keys(user.sessions).length === 0 && !user.container_id) this.users.delete(userId);
    else this.users.set(userId, user);
    return this.flush();
  }

  flush(): Promise<void> {
    // Object.fromEntries defines own properties, so '__proto__' or 'constructor' keys are written as data.
    return this.writer.save(() => ({ version: 1, users: Object.fromEntries(this.users) }));
  }
}

/** Session ids are user input too: a null-prototype copy, so a lookup never finds Object.prototype. */
export function sessionsOf(entries: Record<string, StoredSession>): Record<string, StoredSession> {
  return Object.assign(Object.create(null) as Record<string, StoredSession>, entries);
}
