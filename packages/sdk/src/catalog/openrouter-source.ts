import { UnexpectedResponseError } from '../errors/http-errors.js';
import type { ModelEndpoints, ModelList } from '../protocol/catalog.js';
import type { Transport } from '../transport/transport.js';
import type { CatalogSource } from './model-catalog.js';

/** A catalog fetch is shared by every caller waiting for it, so it gets its own deadline rather than theirs. */
const FETCH_DEADLINE_MS = 30_000;

/** The catalog of an OpenRouter-style API: `GET /models?output_modalities=all` and `/models/{id}/endpoints`. */
export function openRouterSource(name: string, open: () => Promise<Transport>): CatalogSource {
  return {
    name,
    baseURL: async () => (await open()).config.baseURL,
    models: async () => {
      const transport = await open();
      const { data } = await transport.json<ModelList>({
        method: 'GET',
        path: '/models',
        query: { output_modalities: 'all' },
        auth: 'public',
        deadlineMs: FETCH_DEADLINE_MS,
      });
      if (!Array.isArray(data?.data)) {
        throw new UnexpectedResponseError('The /models answer has no data list', { retryable: true });
      }
      return data.data;
    },
    endpoints: async (id) => {
      const transport = await open();
      const { data } = await transport.json<{ data: ModelEndpoints }>({
        method: 'GET',
        path: `/models/${id.split('/').map(encodeURIComponent).join('/')}/endpoints`,
        auth: 'public',
        deadlineMs: FETCH_DEADLINE_MS,
        context: { model: id },
      });
      if (!data?.data || !Array.isArray(data.data.endpoints)) {
        throw new UnexpectedResponseError(`The endpoints answer of ${id} has no endpoints list`, { retryable: true });
      }
      return data.data;
    },
  };
}
