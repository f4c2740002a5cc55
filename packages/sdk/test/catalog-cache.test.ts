import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimulatorHandle, startSimulator } from '@switchyard/simulator';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { catalogFile } from '../src/catalog/disk-cache.js';
import {
  type CatalogSource,
  ConnectionError,
  ModelCatalog,
  ModelsApi,
  NotFoundError,
  RoutingEvents,
  Switchyard,
  type SwitchyardOptions,
} from '../src/index.js';
import { clientFor, hello, modelRow, useSimulator } from './helpers.js';

/** A fetch that counts the catalog calls it passes on. */
function countingFetch() {
  const calls = { models: 0, endpoints: 0, chats: 0 };
  const fetchImpl: typeof fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (/\/models\?/.test(url)) calls.models++;
    else if (url.endsWith('/endpoints')) calls.endpoints++;
    else if (url.endsWith('/chat/completions')) calls.chats++;
    return globalThis.fetch(input, init);
  };
  return { calls, fetch: fetchImpl };
}

/** A client on `sim` whose catalog runs on a clock the test moves. */
function clocked(sim: SimulatorHandle, options: SwitchyardOptions = {}) {
  const counter = countingFetch();
  const clock = { now: 1_000_000 };
  const sy = clientFor(sim, { fetch: counter.fetch, ...options });
  sy.models.configure({ now: () => clock.now });
  return { sy, clock, calls: counter.calls };
}

/** A scripted catalog source: each fetch answers the next list, or fails while `down`. */
function scripted() {
  const state = { fetches: 0, down: false };
  const source: CatalogSource = {
    name: 'scripted',
    baseURL: async () => 'http://scripted.invalid/api/v1',
    models: async () => {
      state.fetches++;
      if (state.down) throw new ConnectionError('Connection failed: offline');
      return [modelRow(`m/${state.fetches}`)];
    },
  };
  return { state, source };
}

describe('catalog cache: TTL and stale-while-revalidate (injected clock)', () => {
  it('serves from memory within the TTL, then the old list at once while one refresh runs', async () => {
    let now = 0;
    const { state, source } = scripted();
    const catalog = new ModelCatalog(source, { ttlMs: 1000, now: () => now });
    expect(catalog.status()).toEqual({ stale: false, source: 'none' });

    expect((await catalog.list())[0]!.id).toBe('m/1');
    expect(catalog.status()).toEqual({ stale: false, source: 'network', fetchedAt: 0 });
    now = 999;
    expect((await catalog.list())[0]!.id).toBe('m/1');
    expect(state.fetches).toBe(1);
    expect(catalog.status().source).toBe('memory');

    now = 1000; // the TTL has passed: the old list comes back at once, a single refresh runs behind it
    const [a, b] = await Promise.all([catalog.list(), catalog.list()]);
    expect(a[0]!.id).toBe('m/1');
    expect(b[0]!.id).toBe('m/1');
    expect(catalog.status().stale).toBe(true);
    await vi.waitFor(() => expect(catalog.status().stale).toBe(false));
    expect(state.fetches).toBe(2);
    expect((await catalog.list())[0]!.id).toBe('m/2');
    expect(catalog.status()).toEqual({ stale: false, source: 'memory', fetchedAt: 1000 });
  });

  it('keeps serving the last copy when a refresh fails, flags it, and backs off for a minute', async () => {
    let now = 0;
    const { state, source } = scripted();
    const events = new RoutingEvents();
    const stale: { reason: string; fetchedAt?: number }[] = [];
    events.on('catalog_stale', (event) => stale.push(event));
    const catalog = new ModelCatalog(source, { ttlMs: 1000, now: () => now, events });
    await catalog.list();

    state.down = true;
    now = 5000;
    expect((await catalog.list())[0]!.id).toBe('m/1');
    await vi.waitFor(() => expect(stale).toHaveLength(1));
    expect(stale[0]).toEqual({ reason: 'Connection failed: offline', fetchedAt: 0 });
    expect(catalog.status()).toEqual({
      stale: true,
      source: 'memory',
      fetchedAt: 0,
      lastError: 'Connection failed: offline',
    });

    // Within the failure TTL nobody asks the network again.
    for (let i = 0; i < 5; i++) await catalog.list();
    expect(state.fetches).toBe(2);
    now += 60_000;
    await catalog.list();
    await vi.waitFor(() => expect(stale).toHaveLength(2));
    expect(state.fetches).toBe(3);

    state.down = false;
    now += 60_000;
    await catalog.list();
    await vi.waitFor(() => expect(catalog.status().stale).toBe(false));
    expect(catalog.status().lastError).toBeUndefined();
    expect((await catalog.list())[0]!.id).toBe('m/4');
  });

  it('remembers a failure without any copy, so an unreachable catalog costs one call a minute', async () => {
    let now = 0;
    const { state, source } = scripted();
    state.down = true;
    const catalog = new ModelCatalog(source, { now: () => now });
    await expect(catalog.list()).rejects.toBeInstanceOf(ConnectionError);
    await expect(catalog.list()).rejects.toBeInstanceOf(ConnectionError);
    expect(state.fetches).toBe(1);
    expect(catalog.status()).toEqual({ stale: false, source: 'none', lastError: 'Connection failed: offline' });
    now = 60_000;
    state.down = false;
    expect((await catalog.list())[0]!.id).toBe('m/2');
  });

  it('refresh() fetches now, and falls back to the last copy when that fails', async () => {
    const { state, source } = scripted();
    const catalog = new ModelCatalog(source);
    await catalog.list();
    expect((await catalog.refresh())[0]!.id).toBe('m/2');
    state.down = true;
    expect((await catalog.refresh())[0]!.id).toBe('m/2');
    expect(catalog.status().lastError).toBe('Connection failed: offline');
  });

  it('honours an abort signal without cancelling the shared fetch', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const catalog = new ModelCatalog({
      name: 'slow',
      baseURL: async () => 'http://slow.invalid',
      models: async () => {
        await gate;
        return [modelRow('slow/1')];
      },
    });
    const controller = new AbortController();
    const first = catalog.list({ signal: controller.signal });
    const second = catalog.list();
    controller.abort();
    await expect(first).rejects.toMatchObject({ code: 'aborted' });
    release();
    expect((await second)[0]!.id).toBe('slow/1');
  });
});

describe('catalog cache against the simulator', () => {
  const sim = useSimulator();

  it('fetches /models once for many requests and list() calls (the routing engine uses the same cache)', async () => {
    const { sy, calls } = clocked(sim());
    await sy.chat({ model: 'openai/gpt-4o-mini', messages: hello });
    await sy.chat({ model: 'openai/gpt-4o-mini', messages: hello });
    const models = await sy.models.list();
    expect(models.some((m) => m.architecture.output_modalities.includes('embeddings'))).toBe(true); // all modalities
    expect(calls.models).toBe(1);
    expect(sy.models.status()).toMatchObject({ stale: false, source: 'memory' });
  });

  it('expires with a tiny TTL and revalidates in the background', async () => {
    const { sy, clock, calls } = clocked(sim(), { catalog: { ttlMs: 10_000 } });
    const first = await sy.models.list();
    expect(sy.models.status()).toMatchObject({ source: 'network', stale: false, fetchedAt: clock.now });
    clock.now += 9_999;
    expect(await sy.models.list()).toBe(first);
    expect(calls.models).toBe(1);

    clock.now += 1;
    expect(await sy.models.list()).toBe(first); // served at once, stale
    expect(sy.models.status().stale).toBe(true);
    await vi.waitFor(() => expect(sy.models.status().stale).toBe(false));
    expect(calls.models).toBe(2);
    const second = await sy.models.list();
    expect(second).not.toBe(first);
    expect(second.map((m) => m.id)).toEqual(first.map((m) => m.id));
  });

  it('a real millisecond TTL expires too (no injected clock)', async () => {
    const counter = countingFetch();
    const sy = clientFor(sim(), { fetch: counter.fetch, catalog: { ttlMs: 20 } });
    await sy.models.list();
    await new Promise((resolve) => setTimeout(resolve, 40));
    await sy.models.list();
    await vi.waitFor(() => expect(counter.calls.models).toBe(2));
  });

  it('caches each model’s endpoints with the same TTL', async () => {
    const { sy, clock, calls } = clocked(sim(), { catalog: { ttlMs: 1000 } });
    const a = await sy.models.endpoints('meta-llama/llama-3.3-70b-instruct');
    const b = await sy.models.endpoints('meta-llama/llama-3.3-70b-instruct');
    expect(b).toBe(a);
    expect(a.endpoints.map((e) => e.provider_name)).toEqual(['DeepInfra', 'Groq', 'Cerebras', 'Novita']);
    expect(calls.endpoints).toBe(1);
    clock.now += 1000;
    expect(await sy.models.endpoints('meta-llama/llama-3.3-70b-instruct')).toBe(a);
    await vi.waitFor(() => expect(calls.endpoints).toBe(2));
  });

  it('caches the endpoints of at most 2,000 models, forgetting the earliest (callers choose the ids)', async () => {
    const asked: string[] = [];
    const source: CatalogSource = {
      name: 'scripted',
      baseURL: async () => 'http://scripted.invalid/api/v1',
      models: async () => [],
      endpoints: async (id) => {
        asked.push(id);
        throw new NotFoundError(`No model ${id}`, { status: 404 });
      },
    };
    const catalog = new ModelCatalog(source);
    const lookUp = (id: string) => catalog.endpoints(id).catch((error: unknown) => error);
    for (let i = 0; i <= 2_000; i++) await lookUp(`nobody/m-${i}`);
    expect(asked.length).toBe(2_001);
    await lookUp('nobody/m-2000'); // still cached: its failure is remembered
    expect(asked.length).toBe(2_001);
    expect(await lookUp('nobody/m-0')).toBeInstanceOf(NotFoundError); // forgotten: asked again
    expect(asked.length).toBe(2_002);
  });

  it('falls back to the cached list when the simulator is gone, flags it stale and emits catalog_stale', async () => {
    const own = await startSimulator();
    const { sy, clock, calls } = clocked(own, { catalog: { ttlMs: 1000 } });
    const events: { reason: string; fetchedAt?: number }[] = [];
    sy.on('catalog_stale', (event) => events.push(event));
    const first = await sy.models.list();
    const fetchedAt = sy.models.status().fetchedAt;
    await own.close();

    clock.now += 1000;
    expect(await sy.models.list()).toBe(first);
    await vi.waitFor(() => expect(events).toHaveLength(1));
    expect(events[0]!.fetchedAt).toBe(fetchedAt);
    expect(events[0]!.reason).toMatch(/Connection failed/);
    expect(sy.models.status()).toMatchObject({ stale: true, source: 'memory', fetchedAt });
    expect(sy.models.status().lastError).toMatch(/Connection failed/);

    // Offline: still answers, and does not hammer the network.
    expect((await sy.models.get('openai/gpt-4o-mini')).id).toBe('openai/gpt-4o-mini');
    expect((await sy.models.search({ text: 'llama' })).length).toBeGreaterThan(0);
    expect(calls.models).toBe(2);
    expect(events).toHaveLength(1);
  });
});

describe('catalog disk cache', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-catalog-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('survives a new client instance, offline included', async () => {
    const dir = tempDir();
    const own = await startSimulator();
    const file = catalogFile(dir, own.url);
    try {
      const a = clientFor(own, { catalog: { cacheDir: dir } });
      const listed = await a.models.list();
      await vi.waitFor(() => expect(existsSync(file)).toBe(true));
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      expect(saved).toMatchObject({ version: 1, baseURL: own.url, fetchedAt: a.models.status().fetchedAt });
      expect(saved.models).toHaveLength(listed.length);
    } finally {
      await own.close();
    }

    // The simulator is gone: a new client still has the catalog, fresh from disk, without a network call.
    const counter = countingFetch();
    const b = clientFor(own, { catalog: { cacheDir: dir }, fetch: counter.fetch });
    const models = await b.models.list();
    expect(models.length).toBeGreaterThan(60);
    expect(b.models.status()).toMatchObject({ source: 'disk', stale: false });
    expect(counter.calls.models).toBe(0);

    // Past its TTL the disk copy is served at once and flagged when the refresh fails.
    const c = clientFor(own, { catalog: { cacheDir: dir, ttlMs: 1 } });
    const events: unknown[] = [];
    c.on('catalog_stale', (event) => events.push(event));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await c.models.list()).length).toBe(models.length);
    await vi.waitFor(() => expect(events).toHaveLength(1));
    expect(c.models.status()).toMatchObject({ source: 'disk', stale: true });
    expect(c.models.status().lastError).toMatch(/Connection failed/);
  });

  it('is read from switchyard.toml ([catalog] ttl in seconds, cache_dir)', async () => {
    const { parseConfig } = await import('../src/config-file.js');
    const sy = new Switchyard({
      env: {},
      fileConfig: parseConfig('[catalog]\nttl = 120\ncache_dir = "/tmp/sy-cache"\n[usage]\ncost_backfill = true\n'),
    });
    expect(sy.config.catalog).toEqual({ ttlMs: 120_000, cacheDir: '/tmp/sy-cache' });
    expect(sy.config.costBackfill).toBe(true);
    expect(sy.config.origins['catalog.ttlMs']).toMatch(/catalog\.ttl/);
    expect(() => new Switchyard({ env: {}, catalog: { ttlMs: -1 } })).toThrow(/catalog TTL/);
    expect(() => parseConfig('[catalog]\nttl_seconds = 5\n')).toThrow(/unknown setting "catalog.ttl_seconds"/);
  });

  it('keeps the deprecated ModelsApi working', async () => {
    const own = await startSimulator();
    try {
      const sy = clientFor(own);
      const api = new ModelsApi(() => (sy as unknown as { backend: never }).backend);
      expect((await api.get('openai/gpt-4o-mini')).id).toBe('openai/gpt-4o-mini');
      expect((await api.endpoints('openai/gpt-4o-mini')).endpoints.length).toBe(2);
    } finally {
      await own.close();
    }
  });
});
