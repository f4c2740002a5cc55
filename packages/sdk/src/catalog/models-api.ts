import type { ProviderBackend } from '../providers/provider.js';
import { backendSource, ModelCatalog } from './model-catalog.js';

/**
 * The catalog over any backend's `listModels()`, with the catalog's default caching.
 * @deprecated Use `ModelCatalog` (what `sy.models` is); kept so existing imports keep working.
 */
export class ModelsApi extends ModelCatalog {
  constructor(backend: () => ProviderBackend) {
    super(backendSource(backend));
  }
}
