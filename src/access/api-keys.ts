/**
 * API keys for partners and services: created with a role (and optionally models and an expiry), shown
 * once, stored only as a SHA-256 (keys are 256 random bits, so a fast hash cannot be reversed or guessed),
 * and checked on every request by hashing what the caller sent and looking the hash up. A key verified
 * recently is remembered for a few seconds, so that a busy partner costs no store read per request; a
 * revocation takes effect on every replica within that time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { TwingraphError, UsageError } from '../errors';
import type { ApiKeyRecord, KeyStore } from '../store/port';
import { isRole, ROLES, type Identity, type Role } from './identity';
import { addIsoDuration } from './iso-duration';

/** What every key starts with: tells a key from a token at a glance, in logs that leaked one, and in scanners. */
export const KEY_PREFIX = 'tgk_';
const KEY_SHAPE = /^tgk_[A-Za-z0-9_-]{43}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** How long a verified key is trusted without asking the store again. */
const REMEMBER_MS = 10_000;
const REMEMBER_AT_MOST = 10_000;

export interface NewKey {
  readonly name: string;
  readonly role: Role;
  readonly models?: readonly string[];
  /** An ISO 8601 duration from now (`P90D`) or an instant (`2027-01-01T00:00:00Z`). */
  readonly expires?: string;
}

/** A key as created: the only time `key` itself is known. */
export interface CreatedKey {
  readonly name: string;
  readonly role: Role;
  readonly key: string;
  readonly expires: string | null;
  readonly models?: readonly string[];
}

function hashOf(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

function unauthenticated(message: string): TwingraphError {
  return new TwingraphError('UNAUTHENTICATED', message);
}

export class ApiKeys {
  private readonly recent = new Map<string, { record: ApiKeyRecord; until: number }>();

  constructor(
    private readonly store: KeyStore,
    private readonly now: () => number = Date.now,
  ) {}

  async create(request: NewKey): Promise<CreatedKey> {
    if (!NAME.test(request.name))
      throw new UsageError(
        `A key's name is 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit: not '${request.name}'.`,
      );
    if (!isRole(request.role))
      throw new UsageError(`A key's role is one of ${ROLES.join(', ')}: not '${String(request.role)}'.`);
    const created = new Date(this.now());
    const expires = request.expires === undefined ? undefined : expiryOf(request.expires, created);
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    await this.store.createKey({
      name: request.name,
      role: request.role,
      ...(request.models?.length && { models: [...request.models] }),
      hash: hashOf(key).toString('hex'),
      created: created.toISOString(),
      ...(expires && { expires }),
    });
    return {
      name: request.name,
      role: request.role,
      key,
      expires: expires ?? null,
      ...(request.models?.length && { models: request.models }),
    };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.store.listKeys();
  }

  async revoke(name: string): Promise<boolean> {
    const revoked = await this.store.revokeKey(name, new Date(this.now()).toISOString());
    for (const [hash, entry] of this.recent) if (entry.record.name === name) this.recent.delete(hash);
    return revoked;
  }

  /** The identity a key stands for; UNAUTHENTICATED when it is malformed, unknown, revoked or expired. */
  async verify(key: string): Promise<Identity> {
    if (!KEY_SHAPE.test(key))
      throw unauthenticated('The API key is malformed: keys are tgk_ followed by 43 characters.');
    const hash = hashOf(key);
    const hex = hash.toString('hex');
    const now = this.now();
    let record = this.recent.get(hex);
    if (!record || record.until < now) {
      const found = await this.store.findKey(hex);
      // The lookup is by hash, so a key is never compared character by character with what was sent; the
      // comparison below is constant-time all the same.
      if (!found || !timingSafeEqual(Buffer.from(found.hash, 'hex'), hash)) {
        this.recent.delete(hex);
        throw unauthenticated('The API key is not known: it was never created, or was mistyped.');
      }
      record = { record: found, until: now + REMEMBER_MS };
      if (this.recent.size >= REMEMBER_AT_MOST) this.recent.clear();
      this.recent.set(hex, record);
    }
    const { name, role, models, expires, revoked } = record.record;
    if (revoked) throw unauthenticated(`The API key '${name}' was revoked at ${revoked}.`);
    const expiresAt = expires === undefined ? undefined : Date.parse(expires);
    if (expiresAt !== undefined && expiresAt <= now)
      throw unauthenticated(`The API key '${name}' expired at ${expires}.`);
    return {
      name,
      via: 'key',
      ...(isRole(role) && { role }),
      ...(models && { models }),
      ...(expiresAt !== undefined && { expiresAt }),
    };
  }
}

function expiryOf(text: string, from: Date): string {
  const date = text.startsWith('P') ? addIsoDuration(from, text) : new Date(text);
  if (!date || Number.isNaN(date.getTime()) || (!text.startsWith('P') && !/^\d{4}-\d{2}-\d{2}/.test(text)))
    throw new UsageError(
      `--expires takes an ISO 8601 duration (P90D, PT12H, P1Y) or an instant (2027-01-01T00:00:00Z): not '${text}'.`,
    );
  if (date.getTime() <= from.getTime()) throw new UsageError(`--expires '${text}' is not in the future.`);
  return date.toISOString();
}
