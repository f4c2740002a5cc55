/** A virtual key as the gateway sees it after authentication (never the secret itself). */
export interface VirtualKey {
  id: string;
  name: string;
  /** Shown in listings: `sk-sy-ab…yz`. */
  preview: string;
  createdAt: number;
  expiresAt?: number;
  revokedAt?: number;
  /** Model ids (or `author/*` globs) the key may use; empty = any. */
  allowedModels: string[];
  limits: KeyLimits;
  /** USD budget per period, enforced through the ledger's reservations. */
  budget?: { usd: number; period: 'day' | 'month' | 'total' };
}

export interface KeyLimits {
  requestsPerMinute?: number;
  requestsPerDay?: number;
  tokensPerMinute?: number;
}

/** Who is calling: a virtual key, or open access (no keys configured, loopback only). */
export type Caller = { kind: 'key'; key: VirtualKey; userId?: string } | { kind: 'open'; userId?: string };

export interface KeyStore {
  /** Stores a key by its HMAC; the plaintext never reaches the store. */
  insert(key: VirtualKey, hash: string): Promise<void>;
  byHash(hash: string): Promise<VirtualKey | undefined>;
  byId(id: string): Promise<VirtualKey | undefined>;
  list(): Promise<VirtualKey[]>;
  revoke(id: string, at: number): Promise<boolean>;
  update(
    id: string,
    patch: Partial<Pick<VirtualKey, 'name' | 'allowedModels' | 'limits' | 'budget' | 'expiresAt'>>,
  ): Promise<VirtualKey | undefined>;
  /** A persistent setting (the generated HMAC secret lives here when none is configured). */
  setting(name: string, create: () => string): Promise<string>;
  count(): Promise<number>;
}
