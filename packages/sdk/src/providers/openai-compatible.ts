import { isLoopbackHost } from '../config/base-url.js';
import { ConfigError } from '../errors/client-errors.js';
import type { Model } from '../protocol/catalog.js';
import { buildHeaders } from '../transport/headers.js';
import { Transport } from '../transport/transport.js';
import type { Prices } from '../usage/cost.js';
import type { ProviderBackend, ProviderContext, ProviderMetadata } from './provider.js';
import { registerProvider } from './registry.js';

interface OpenAIModel {
  id: string;
  created?: number;
  owned_by?: string;
}

/** An OpenAI `/v1/models` entry in the catalog shape (what OpenAI-compatible servers tell us is just the id). */
function toModel(entry: OpenAIModel, prices: Prices | undefined): Model {
  return {
    id: entry.id,
    name: entry.id,
    created: entry.created ?? 0,
    description: entry.owned_by ? `Served by ${entry.owned_by}` : '',
    context_length: null,
    architecture: { modality: 'text->text', input_modalities: ['text'], output_modalities: ['text'] },
    pricing: { prompt: String(prices?.prompt ?? '0'), completion: String(prices?.completion ?? '0') },
    top_provider: { is_moderated: false },
    supported_parameters: [],
  };
}

/**
 * Any server speaking OpenAI's chat API: OpenAI itself, LM Studio, Ollama, vLLM, llama.cpp. The key is optional
 * (local servers need none); prices come from configuration, and default to $0 — local compute is not billed.
 */
class OpenAICompatibleBackend implements ProviderBackend {
  readonly type = 'openai-compatible';
  readonly openRouterApi = false;
  readonly metadata: ProviderMetadata;
  private readonly client: Transport;

  constructor(
    readonly name: string,
    baseURL: string,
    private readonly context: ProviderContext,
  ) {
    const { config, settings } = context;
    const host = new URL(baseURL).hostname;
    const local = isLoopbackHost(host) || host.endsWith('.local') || /^(10|192\.168)\./.test(host);
    this.metadata = {
      name: host === 'api.openai.com' ? 'OpenAI' : `${name} (${host})`,
      company: host === 'api.openai.com' ? 'OpenAI' : 'self-hosted',
      region: local ? 'local' : 'unknown',
      dataLocation: local ? 'your machine or network' : host,
      kind: local ? 'local' : 'cloud',
    };
    this.client = new Transport({
      baseURL,
      fetch: config.fetch,
      headers: buildHeaders({
        ...config,
        apiKey: settings?.apiKey,
        headers: { ...config.headers, ...settings?.headers },
      }),
      keyRequired: false,
      missingKeyMessage: '',
      // Most of these servers (OpenAI, vLLM, Ollama) send a non-stream answer's headers only with the whole answer:
      // unless set, no headers timeout would cut it short of the deadline (streams keep the first-token timeout).
      headersTimeoutMs: config.sources['timeouts.headersMs'] === 'default' ? 0 : config.timeouts.headersMs,
      maxResponseBytes: config.maxResponseBytes,
    });
  }

  async transport(): Promise<Transport> {
    return this.client;
  }

  transportNow(): Transport {
    return this.client;
  }

  async isAvailable(): Promise<boolean> {
    try {
      await this.listModels();
      return true;
    } catch {
      return false;
    }
  }

  async listModels(signal?: AbortSignal): Promise<Model[]> {
    const configured = this.context.settings?.models ?? [];
    try {
      const { data } = await this.client.json<{ data: OpenAIModel[] }>({
        method: 'GET',
        path: '/models',
        signal,
        deadlineMs: 15_000,
      });
      const listed = Array.isArray(data.data) ? data.data : [];
      const ids = new Set(listed.map((m) => m.id));
      const extra = configured.filter((id) => !ids.has(id)).map((id) => ({ id }));
      return [...listed, ...extra].map((m) => toModel(m, this.perToken(m.id)));
    } catch (error) {
      if (configured.length > 0) return configured.map((id) => toModel({ id }, this.perToken(id)));
      throw error;
    }
  }

  /** Configured prices are per million tokens; the catalog shape is per token. */
  private perToken(model: string): Prices | undefined {
    const price = this.context.settings?.prices[model];
    if (!price) return undefined;
    return { prompt: price.prompt / 1_000_000, completion: price.completion / 1_000_000 };
  }

  async prices(model: string): Promise<Prices> {
    return this.perToken(model) ?? { prompt: '0', completion: '0' };
  }

  async close(): Promise<void> {}
}

registerProvider('openai-compatible', (context) => {
  const baseURL =
    context.settings?.baseURL ?? (context.config.provider === context.name ? context.config.baseURL : undefined);
  if (!baseURL)
    throw new ConfigError(`Provider "${context.name}" needs a base URL (base_url in [providers.${context.name}])`);
  return new OpenAICompatibleBackend(context.name, baseURL, context);
});
