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
  private users: Record<string, UserConns> = {};
  private readonly writer: JsonFileWriter<ConnsFile>;
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'conns.json');
    this.writer = new JsonFileWriter(this.file);
  }

  async load(): Promise<void> {
    const data = await readJson<ConnsFile>(this.file, { version: 1, users: {} });
    this.users = data.users ?? {};
  }

  allUsers(): Readonly<Record<string, Readonly<UserConns>>> {
    return this.users;
  }

  user(userId: string): Readonly<UserConns> | undefined {
    return this.users[userId];
  }

  /** Apply a change to one user's record and persist it. Users left with nothing are dropped. */
  update(userId: string, change: (user: UserConns) => void): Promise<void> {
    const user = this.users[userId] ?? { sessions: {} };
    change(user);
    if (Object.keys(user.sessions).length === 0 && !user.container_id) delete this.users[userId];
    else this.users[userId] = user;
    return this.flush();
  }

  flush(): Promise<void> {
    return this.writer.save(() => ({ version: 1, users: this.users }));
  }
}
