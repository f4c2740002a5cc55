import type { ResolvedConfig } from '../config/options.js';
import { ConfigError } from '../errors/client-errors.js';
import type { ProviderBackend, ProviderFactory } from './provider.js';

const factories = new Map<string, ProviderFactory>();

/** Registers a provider type; built-ins register themselves when their module loads. Re-registering replaces. */
export function registerProvider(type: string, factory: ProviderFactory): void {
  factories.set(type, factory);
}

export function registeredProviders(): string[] {
  return [...factories.keys()];
}

/**
 * Creates the backend for `name`: a provider configured under `[providers.<name>]` (built by its `type`), or a
 * registered type used directly (`openrouter`, `openai-compatible`, `simulator`, or your own).
 */
export function createProvider(config: ResolvedConfig, name = config.provider): ProviderBackend {
  const settings = config.providers[name];
  const type = settings ? settings.type : name;
  const factory = factories.get(type);
  if (!factory) {
    const known = [...new Set([...factories.keys(), ...Object.keys(config.providers)])].sort().join(', ');
    throw new ConfigError(`Unknown provider "${name}"; known providers: ${known}`);
  }
  return factory({ config, name, settings });
}
