import type { ResolvedConfig, ResolvedProviderConfig } from '../config/options.js';
import type { Model } from '../protocol/catalog.js';
import type { Transport } from '../transport/transport.js';
import type { Prices } from '../usage/cost.js';

/** Facts about where requests go, for pickers, docs and data-residency decisions. */
export interface ProviderMetadata {
  /** Display name, e.g. `OpenRouter`. */
  name: string;
  company: string;
  region: string;
  /** Where prompts are processed and stored. */
  dataLocation: string;
  /** `cloud` (a hosted service), `local` (your machine or network) or `embedded` (in this process). */
  kind: 'cloud' | 'local' | 'embedded';
}

/**
 * A backend the client can send chats to: OpenRouter, any OpenAI-compatible server (OpenAI, LM Studio, Ollama,
 * vLLM), or the in-process simulator. Backends are created by factories registered under a type name.
 */
export interface ProviderBackend {
  /** The name it was created under (`openrouter`, `simulator`, or a configured name such as `local`). */
  readonly name: string;
  /** The factory type (`openrouter`, `openai-compatible`, `simulator`). */
  readonly type: string;
  readonly metadata: ProviderMetadata;
  /** Whether the backend speaks OpenRouter's extensions (`provider`, `models[]`, `/key`, `/generation`, …). */
  readonly openRouterApi: boolean;
  /** The HTTP transport to reach it (the simulator starts on first use). */
  transport(): Promise<Transport>;
  /** The transport when it is ready now (`undefined`: await `transport()`). Saves a promise per request on the hot
   * path; backends without it are always awaited. */
  transportNow?(): Transport | undefined;
  /** Whether it can answer now (configured and reachable). */
  isAvailable(): Promise<boolean>;
  /** The models it serves, in the OpenRouter catalog shape. */
  listModels(signal?: AbortSignal): Promise<Model[]>;
  /** Per-token prices of a model, for cost when the server does not report one (`undefined` = unknown). */
  prices(model: string): Promise<Prices | undefined>;
  /** Releases resources (stops an in-process simulator). */
  close(): Promise<void>;
}

export interface ProviderContext {
  config: ResolvedConfig;
  /** The name being created. */
  name: string;
  /** Its `[providers.<name>]` settings, for configured providers. */
  settings?: ResolvedProviderConfig;
}

/** The backend's transport, without a promise when it is ready (see `transportNow`). */
export function transportOf(backend: ProviderBackend): Transport | Promise<Transport> {
  return backend.transportNow?.() ?? backend.transport();
}

export type ProviderFactory = (context: ProviderContext) => ProviderBackend;
