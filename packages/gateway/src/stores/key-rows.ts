import type { VirtualKey } from '../keys/key-types.js';

/** Column values of the `virtual_keys` table (shared by the SQLite and PostgreSQL key stores). */
export interface KeyRecord {
  id: string;
  hash: string;
  name: string;
  preview: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  allowed_models: string;
  limits: string;
  budget: string | null;
}

export const KEY_COLUMNS = [
  'id',
  'hash',
  'name',
  'preview',
  'created_at',
  'expires_at',
  'revoked_at',
  'allowed_models',
  'limits',
  'budget',
] as const;

export function keyToRecord(key: VirtualKey, hash: string): KeyRecord {
  return {
    id: key.id,
    hash,
    name: key.name,
    preview: key.preview,
    created_at: key.createdAt,
    expires_at: key.expiresAt ?? null,
    revoked_at: key.revokedAt ?? null,
    allowed_models: JSON.stringify(key.allowedModels),
    limits: JSON.stringify(key.limits),
    budget: key.budget ? JSON.stringify(key.budget) : null,
  };
}

/** Drivers return BIGINT as bigint (better-sqlite3 in safe-integer mode) or string (pg): epoch ms fit a number. */
const num = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value));

export function recordToKey(row: Record<string, unknown>): VirtualKey {
  const key: VirtualKey = {
    id: String(row.id),
    name: String(row.name),
    preview: String(row.preview),
    createdAt: num(row.created_at) ?? 0,
    allowedModels: JSON.parse(String(row.allowed_models)) as string[],
    limits: JSON.parse(String(row.limits)) as VirtualKey['limits'],
  };
  const expires = num(row.expires_at);
  const revoked = num(row.revoked_at);
  if (expires !== undefined) key.expiresAt = expires;
  if (revoked !== undefined) key.revokedAt = revoked;
  if (row.budget !== null && row.budget !== undefined)
    key.budget = JSON.parse(String(row.budget)) as VirtualKey['budget'];
  return key;
}

type Patch = Parameters<import('../keys/key-types.js').KeyStore['update']>[1];

/** Applies an update to a stored key (both stores read, patch and write back inside one transaction). */
export function patched(key: VirtualKey, patch: Patch): VirtualKey {
  const next: VirtualKey = { ...key, ...patch };
  for (const field of ['budget', 'expiresAt'] as const) {
    if (field in patch && patch[field] === undefined) delete next[field];
  }
  return next;
}
