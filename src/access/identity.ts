/**
 * Who calls, and what they may do: an identity (from an API key or a bearer token) has one role and may be
 * limited to the twins of some models. Roles are ordered, each including the one before: a reader queries
 * and subscribes, a writer also writes twins, relationships, telemetry and commands, a modeler also uploads
 * and removes models, an admin also runs the mirror's and the analytics' levers and manages keys.
 */
export const ROLES = ['reader', 'writer', 'modeler', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Identity {
  /** An API key's name or a token's subject: what change-log entries record as their actor. */
  readonly name: string;
  readonly via: 'key' | 'token' | 'open';
  /** Absent: a token that carries none of the roles; it may do nothing. */
  readonly role?: Role;
  /** The models (with their subtypes) whose twins it may see and write; absent: every twin. */
  readonly models?: readonly string[];
  /** When its credential stops being valid (epoch ms); subscriptions end then. */
  readonly expiresAt?: number;
}

/** Everyone, when authentication is off: every role, no actor recorded. */
export const OPEN_ACCESS: Identity = Object.freeze({ name: 'anonymous', via: 'open', role: 'admin' });

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether `role` includes `needed`. */
export function hasRole(role: Role | undefined, needed: Role): boolean {
  return role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** The actor recorded for an identity's writes: none when nobody was asked who they are. */
export function actorOf(identity: Identity | undefined): string | undefined {
  return identity && identity.via !== 'open' ? identity.name : undefined;
}
