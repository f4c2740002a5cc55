import { InvalidModelError } from '../errors/http-errors.js';
import { SwitchyardError } from '../errors/switchyard-error.js';
import type { Model, ModelEndpoints } from '../protocol/catalog.js';
import type { ProviderBackend } from '../providers/provider.js';

/** The model catalog of the client's provider: `/models` (no key needed on OpenRouter), cached in memory for an hour. */
export class ModelsApi {
  constructor(private readonly backend: () => ProviderBackend) {}

  /** Every model the provider serves (chat and embedding models). */
  list(options: { signal?: AbortSignal } = {}): Promise<Model[]> {
    return this.backend().listModels(options.signal);
  }

  /** One model by id (`:variant` suffixes resolve to their base row); InvalidModelError when unknown. */
  async get(id: string): Promise<Model> {
    const models = await this.list();
    const bare = id.replace(/:(nitro|floor|online|exacto|thinking|extended)$/, '');
    const found = models.find((m) => m.id === id) ?? models.find((m) => m.id === bare);
    if (!found) throw new InvalidModelError(`${id} is not a valid model ID`, { status: 404, model: id });
    return found;
  }

  /** The provider endpoints serving a model, with their prices, uptime, latency and throughput (OpenRouter only). */
  async endpoints(id: string, options: { signal?: AbortSignal } = {}): Promise<ModelEndpoints> {
    const backend = this.backend();
    if (!backend.openRouterApi)
      throw new SwitchyardError(`Provider "${backend.name}" has no per-model endpoints listing`);
    const transport = await backend.transport();
    const { data } = await transport.json<{ data: ModelEndpoints }>({
      method: 'GET',
      path: `/models/${id.split('/').map(encodeURIComponent).join('/')}/endpoints`,
      auth: 'public',
      signal: options.signal,
      context: { model: id },
    });
    return data.data;
  }
}
