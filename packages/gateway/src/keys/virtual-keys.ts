import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { InvalidRequestError } from '@switchyard/sdk';
import type { KeyLimits, KeyStore, VirtualKey } from './key-types.js';

const PREFIX = 'sk-sy-v1-';

export interface CreateKeyInput {
  name: string;
  allowedModels?: string[];
  limits?: KeyLimits;
  budget?: VirtualKey['budget'];
  /** Lifetime in ms from now. */
  expiresInMs?: number;
}

/**
 * Virtual keys: random 32-byte secrets shown once at creation, stored only as an HMAC-SHA256 under a server secret
 * (so a leaked database does not leak usable keys, and lookups stay one indexed equality).
 */
export class VirtualKeys {
  private secret: Buffer | undefined;
  /** Verified lookups by hash, when the store is remote (PostgreSQL): a round trip saved on every request. */
  private readonly cache = new Map<string, { key: VirtualKey; until: number }>();

  /**
   * @param cacheMs how long a verified key is trusted without asking the store again (0 = always ask). A key revoked
   *   from another process stops working within this time; revocations through this instance apply at once.
   */
  constructor(
    private readonly store: KeyStore,
    private readonly configuredSecret?: string,
    private readonly cacheMs = 0,
  ) {}

  private async hmac(plaintext: string): Promise<string> {
    if (!this.secret) {
      const secret =
        this.configuredSecret ?? (await this.store.setting('key_hmac_secret', () => randomBytes(32).toString('hex')));
      this.secret = Buffer.from(secret);
    }
    return createHmac('sha256', this.secret).update(plaintext).digest('hex');
  }

  /** Creates a key; the returned `secret` is the only time the plaintext exists. */
  async create(input: CreateKeyInput, now = Date.now()): Promise<{ key: VirtualKey; secret: string }> {
    if (!input.name || input.name.trim() === '')
      throw new InvalidRequestError("Invalid value for 'name': a key needs a name", { status: 400 });
    const secret = PREFIX + randomBytes(32).toString('base64url');
    const key: VirtualKey = {
      id: `key_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
      name: input.name.trim(),
      preview: `${secret.slice(0, PREFIX.length + 2)}…${secret.slice(-2)}`,
      createdAt: now,
      allowedModels: input.allowedModels ?? [],
      limits: input.limits ?? {},
    };
    if (input.expiresInMs !== undefined) key.expiresAt = now + input.expiresInMs;
    if (input.budget) key.budget = input.budget;
    await this.store.insert(key, await this.hmac(secret));
    return { key, secret };
  }

  /** The live key for a presented secret, or a reason it is refused. */
  async verify(presented: string, now = Date.now()): Promise<{ key: VirtualKey } | { reason: string }> {
    if (!presented.startsWith(PREFIX)) return { reason: 'not a switchyard key (expected sk-sy-v1-…)' };
    const hash = await this.hmac(presented);
    const cached = this.cache.get(hash);
    const fresh = cached !== undefined && cached.until > now;
    const key = fresh ? cached.key : await this.store.byHash(hash);
    if (!key) return { reason: 'unknown key' };
    if (this.cacheMs > 0 && !fresh) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, { key, until: now + this.cacheMs });
    }
    if (key.revokedAt !== undefined) return { reason: 'key revoked' };
    if (key.expiresAt !== undefined && key.expiresAt <= now) return { reason: 'key expired' };
    return { key };
  }

  list(): Promise<VirtualKey[]> {
    return this.store.list();
  }

  get(id: string): Promise<VirtualKey | undefined> {
    return this.store.byId(id);
  }

  revoke(id: string, now = Date.now()): Promise<boolean> {
    this.cache.clear();
    return this.store.revoke(id, now);
  }

  update(id: string, patch: Parameters<KeyStore['update']>[1]): Promise<VirtualKey | undefined> {
    this.cache.clear();
    return this.store.update(id, patch);
  }

  count(): Promise<number> {
    return this.store.count();
  }
}

/** Constant-time comparison for the admin token. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether `model` is allowed by a key's list (exact ids or `author/*`). */
export function modelAllowed(key: VirtualKey, model: string | undefined): boolean {
  if (key.allowedModels.length === 0) return true;
  if (!model) return false;
  return key.allowedModels.some((allowed) =>
    allowed.endsWith('/*') ? model.startsWith(allowed.slice(0, -1)) : allowed === model,
  );
}
