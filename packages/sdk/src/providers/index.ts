// Built-in providers register themselves on import.
import './openrouter.js';
import './openai-compatible.js';
import './simulator.js';

export type { ProviderBackend, ProviderContext, ProviderFactory, ProviderMetadata } from './provider.js';
export { createProvider, registeredProviders, registerProvider } from './registry.js';
