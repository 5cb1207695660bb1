// A user's full picture (SSH sessions, VPN container, GPU watches), composed from sections that each
// capability registers, and a `changed` event whenever any of them changes, so sockets can push it.
import { EventEmitter } from 'node:events';
import type { UserState } from '../contracts/socket.js';

/** One capability's part of the state, under its key in UserState. */
export interface StateSection {
  snapshot(userId: string): unknown;
  /** The users this section knows of (feeds the owner's overview; a forwards capability adds its own the same way). */
  users?(): Iterable<string>;
}

type Events = { changed: [userId: string] };

export class UserStateService extends EventEmitter<Events> {
  private readonly sections = new Map<string, StateSection>();

  constructor() {
    super();
    this.setMaxListeners(0);
  }

  addSection(key: Exclude<keyof UserState, 'user_id'>, section: StateSection): void {
    this.sections.set(key, section);
  }

  /** Every user some section knows of, plus `extra` (sources outside the state, such as terminals). */
  knownUsers(extra: Iterable<string> = []): string[] {
    const users = new Set<string>(extra);
    for (const section of this.sections.values()) for (const user of section.users?.() ?? []) users.add(user);
    return [...users].sort();
  }

  /** Capabilities call this on every change of a user's state. */
  notify(userId: string): void {
    this.emit('changed', userId);
  }

  async snapshot(userId: string): Promise<UserState> {
    const state: Record<string, unknown> = { user_id: userId };
    for (const [key, section] of this.sections) state[key] = await section.snapshot(userId);
    return state as UserState;
  }
}
