import type { KeyStore, VirtualKey } from './key-types.js';

/** Keys in memory (tests, or a gateway without a database). */
export class MemoryKeyStore implements KeyStore {
  private readonly byHashMap = new Map<string, VirtualKey>();
  private readonly byIdMap = new Map<string, VirtualKey>();
  private readonly settings = new Map<string, string>();

  async insert(key: VirtualKey, hash: string): Promise<void> {
    this.byHashMap.set(hash, key);
    this.byIdMap.set(key.id, key);
  }

  async byHash(hash: string): Promise<VirtualKey | undefined> {
    return this.byHashMap.get(hash);
  }

  async byId(id: string): Promise<VirtualKey | undefined> {
    return this.byIdMap.get(id);
  }

  async list(): Promise<VirtualKey[]> {
    return [...this.byIdMap.values()];
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const key = this.byIdMap.get(id);
    if (!key || key.revokedAt !== undefined) return false;
    key.revokedAt = at;
    return true;
  }

  async update(id: string, patch: Partial<VirtualKey>): Promise<VirtualKey | undefined> {
    const key = this.byIdMap.get(id);
    if (key) Object.assign(key, patch);
    return key;
  }

  async setting(name: string, create: () => string): Promise<string> {
    let value = this.settings.get(name);
    if (value === undefined) {
      value = create();
      this.settings.set(name, value);
    }
    return value;
  }

  async count(): Promise<number> {
    return [...this.byIdMap.values()].filter((k) => k.revokedAt === undefined).length;
  }
}
