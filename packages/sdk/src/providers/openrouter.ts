import { ModelCatalog } from '../catalog/model-catalog.js';
import { openRouterSource } from '../catalog/openrouter-source.js';
import type { ResolvedConfig } from '../config/options.js';
import type { Model } from '../protocol/catalog.js';
import { buildHeaders } from '../transport/headers.js';
import { Transport } from '../transport/transport.js';
import type { ProviderBackend, ProviderMetadata } from './provider.js';
import { registerProvider } from './registry.js';

export const OPENROUTER_METADATA: ProviderMetadata = {
  name: 'OpenRouter',
  company: 'OpenRouter, Inc.',
  region: 'global',
  dataLocation: "routed to the serving model provider (see each endpoint's data policy)",
  kind: 'cloud',
};

export function openRouterTransport(config: ResolvedConfig, baseURL: string, apiKey: string | undefined): Transport {
  return new Transport({
    baseURL,
    fetch: config.fetch,
    headers: buildHeaders({ ...config, apiKey }),
    keyRequired: true,
    missingKeyMessage:
      'No OpenRouter API key. Set OPENROUTER_API_KEY (or pass apiKey, or set api_key under [openrouter] in ' +
      'switchyard.toml). To try switchyard without a key, set DEV_MODE=true to use the built-in simulator.',
    headersTimeoutMs: config.timeouts.headersMs,
    maxResponseBytes: config.maxResponseBytes,
  });
}

/** Shared by backends that speak OpenRouter's API (the real service and the simulator). */
export class OpenRouterApiBackend implements ProviderBackend {
  readonly openRouterApi = true;
  /** The cached `/models` and endpoints listings (`sy.models`; the client applies its `catalog` settings). */
  readonly catalog: ModelCatalog;

  constructor(
    readonly name: string,
    readonly type: string,
    readonly metadata: ProviderMetadata,
    private readonly open: () => Promise<Transport>,
    /** The transport when it is ready without waiting (see ProviderBackend.transportNow). */
    private readonly ready?: () => Transport | undefined,
  ) {
    this.catalog = new ModelCatalog(openRouterSource(name, () => this.open()));
  }

  transport(): Promise<Transport> {
    return this.open();
  }

  transportNow(): Transport | undefined {
    return this.ready?.();
  }

  async isAvailable(): Promise<boolean> {
    try {
      const transport = await this.open();
      if (!transport.config.headers.authorization) return false;
      await transport.json({ method: 'GET', path: '/key', deadlineMs: 10_000 });
      return true;
    } catch {
      return false;
    }
  }

  /** `/models` with every output modality (chat and embedding models), from the catalog's cache (see ModelCatalog:
   * 1 h in memory, stale-while-revalidate, failures remembered for a minute). */
  listModels(signal?: AbortSignal): Promise<Model[]> {
    return this.catalog.list({ signal });
  }

  /** The model's catalog prices (for cost when no cost is reported); `undefined` when unknown or unreachable. */
  async prices(model: string) {
    return this.catalog.servingPrices(model);
  }

  async close(): Promise<void> {}
}

registerProvider('openrouter', ({ config, name, settings }) => {
  const transport = openRouterTransport(config, settings?.baseURL ?? config.baseURL, settings?.apiKey ?? config.apiKey);
  return new OpenRouterApiBackend(
    name,
    'openrouter',
    OPENROUTER_METADATA,
    async () => transport,
    () => transport,
  );
});
