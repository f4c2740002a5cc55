import type { InferSchema, SchemaLike } from './agents/schema.js';
import type { ObjectOptions, ObjectResult } from './agents/structured-output.js';
import type { RunToolsOptions, ToolLoopResult, ToolLoopStream } from './agents/tool-types.js';
import { loadAgents } from './agents/toolkit.js';
import { catalogFor, type ModelCatalog } from './catalog/model-catalog.js';
import { ChatStream } from './chat/chat-stream.js';
import { prepareRequest } from './chat/prepare-request.js';

import type { ChatResult } from './chat/types.js';
import type { ResolvedConfig, SwitchyardOptions } from './config/options.js';
import { resolveConfig } from './config/resolve-config.js';
import type { EmbeddingResult } from './embeddings.js';
import { lazyModule } from './errors/chunk-load.js';
import { InvalidRequestError, NotFoundError, UnexpectedResponseError } from './errors/http-errors.js';
import { SwitchyardError } from './errors/switchyard-error.js';
import type { Credits, EmbeddingRequest, Generation, KeyInfo } from './protocol/account.js';
import type { ChatRequest } from './protocol/chat.js';
import type { Message } from './protocol/messages.js';
import { type ConversationRequest, conversationRequest, type Provider } from './providers/conversation.js';
import './providers/index.js';
import type { ProviderBackend } from './providers/provider.js';
import { createProvider } from './providers/registry.js';
import type { BreakerSnapshot } from './routing/circuit-breaker.js';
import { deferredBatches } from './routing/deferred-batches.js';
import type { Engine, EngineInput } from './routing/engine.js';
import type { RoutingEventMap, RoutingEventName } from './routing/events.js';
import { RoutingEvents } from './routing/events.js';
import type { HealthStats } from './routing/health.js';
import type { RouteOptions } from './routing/router.js';
import { UsageAccounting } from './usage/accounting.js';
import type { Cost } from './usage/cost.js';
import type { UsageTags } from './usage/sink.js';

/** The routing engine's code: a chunk of its own in browser bundles (see routing/engine.ts). */
/** A call's `signal` must be an AbortSignal: anything else failed deep inside as a bare TypeError. */
function checkSignal(signal: unknown): void {
  if (signal !== undefined && typeof (signal as AbortSignal | null)?.addEventListener !== 'function') {
    throw new InvalidRequestError("Invalid call option 'signal': expected an AbortSignal");
  }
}

const loadEngineModule = lazyModule("the SDK's routing engine", () => import('./routing/engine.js'));
/** Embeddings: loaded on first use (a lazy chunk); chat-only apps never need them. */
const loadEmbeddings = lazyModule("the SDK's embeddings code", () => import('./embeddings.js'));

/** Per-call options. */
export interface CallOptions {
  /** Droppable extra context (e.g. retrieved documents), inserted before the last user message; dropped first when
   * the prompt is too long and `routing.onContextLengthError` is `drop-context`. */
  context?: Message[];
  signal?: AbortSignal;
  /** Overrides the configured deadline (`timeoutMs`) for this call. */
  timeoutMs?: number;
  /** Extra HTTP headers for this call only. */
  headers?: Record<string, string>;
  /** Streams: also emit `frame` events with the upstream SSE frames verbatim (for proxies such as the gateway). */
  frames?: boolean;
  /** Labels for this call's usage records (`usageSinks`): `requestId`, `keyId`, `userId` (default: the request's
   * `user`). */
  usageTags?: UsageTags;
}

/** Chat parameters: every OpenRouter chat parameter; `model` falls back to the configured default. */
export type ChatParams = Omit<ChatRequest, 'stream'>;

/** Parameters of the prompt-style conveniences (`generate`, …): anything but the messages. */
export type GenerateParams = Omit<ChatParams, 'messages'> & { system?: string };

/**
 * The switchyard client. Options win over environment variables, which win over `switchyard.toml`
 * (load it with `fromConfigFile` or `loadConfig` from `@switchyard/sdk/config`).
 *
 * ```ts
 * const sy = new Switchyard({ defaultModel: 'openai/gpt-4o-mini' });
 * const r = await sy.chat({ messages: [{ role: 'user', content: 'Hello!' }] });
 * console.log(r.text, r.usage, r.cost);
 * ```
 */
export class Switchyard {
  readonly config: ResolvedConfig;
  /** The model catalog: `list`, `get`, `search`, `top`, `endpoints`, `prices`, `status` (cached; see ModelCatalog). */
  readonly models: ModelCatalog;
  /** Routing events (`attempt`, `retry`, `fallback`, `breaker_open`, …); also via `on()`. */
  readonly events = new RoutingEvents();
  private readonly backend: ProviderBackend;
  private readonly backends = new Map<string, ProviderBackend>();
  private readonly accounting: UsageAccounting;
  private readonly engineInput: EngineInput;
  /** The routing engine, once loaded (see `loadEngine`). */
  private engine: Engine | undefined;

  constructor(options: SwitchyardOptions = {}) {
    this.config = resolveConfig(options);
    this.backend = createProvider(this.config);
    this.backends.set(this.backend.name, this.backend);
    this.models = catalogFor(this.backend, this.catalogSettings());
    this.accounting = new UsageAccounting({
      sinks: options.usageSinks,
      events: this.events,
      autoBackfill: this.config.costBackfill && this.backend.openRouterApi,
      generation: (id, signal) => this.openRouterJson<Generation>('/generation', { id }, signal),
    });
    this.engineInput = {
      config: this.config,
      backend: this.backend,
      events: this.events,
      breakerStore: options.breakerStore,
      retryOn: options.retryOn,
      budget: options.budget,
    };
    // Started now, awaited by the first call: the engine is a chunk of its own in browser bundles (see engine.ts).
    this.loadEngine().catch(() => {});
  }

  /** The routing engine (router, breakers, health), made once its chunk is in (`lazyModule` loads it once and
   * retries a failed load). */
  private async loadEngine(): Promise<Engine> {
    const { createEngine } = await loadEngineModule();
    this.engine ??= createEngine(this.engineInput);
    return this.engine;
  }

  /** Subscribes to a routing event; returns the unsubscribe function. */
  on<K extends RoutingEventName>(name: K, listener: (event: RoutingEventMap[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** Circuit-breaker states and recent per-target health (latency, error rate). */
  async health(): Promise<{ breakers: BreakerSnapshot[]; targets: HealthStats[] }> {
    const engine = this.engine ?? (await this.loadEngine());
    return { breakers: await engine.breakers.snapshot(), targets: engine.health.all() };
  }

  /** The provider requests go to (`openrouter`, `simulator`, a configured OpenAI-compatible server, …). */
  get providerName(): string {
    return this.backend.name;
  }

  get providerMetadata() {
    return this.backend.metadata;
  }

  private deadline(options: CallOptions): number {
    return options.timeoutMs ?? this.config.timeoutMs;
  }

  private catalogSettings() {
    const { ttlMs, cacheDir } = this.config.catalog;
    return { ttlMs, cacheDir, events: this.events };
  }

  private route(options: CallOptions, request?: ChatRequest): RouteOptions {
    checkSignal(options.signal);
    const tags: UsageTags = { ...options.usageTags };
    if (tags.userId === undefined && typeof request?.user === 'string') tags.userId = request.user;
    return {
      onEnd: this.accounting.onEnd(tags),
      signal: options.signal,
      deadlineMs: this.deadline(options),
      headers: options.headers,
      context: options.context,
      frames: options.frames,
      firstTokenMs: this.config.timeouts.firstTokenMs || undefined,
      idleMs: this.config.timeouts.idleMs || undefined,
    };
  }

  /** One chat completion, through retries, circuit breakers and the fallback chain (`result.attempts`). */
  chat(params: ChatParams, options: CallOptions = {}): Promise<ChatResult> {
    // Not an async function: with the engine in place the router's promise is the answer (an async wrapper would add
    // a promise and two ticks to every call). Invalid parameters still reject rather than throw.
    try {
      const request = prepareRequest(params as ChatRequest, this.config, this.backend.openRouterApi);
      const engine = this.engine;
      if (engine) return engine.router.chat(request, this.route(options, request));
      return this.loadEngine().then((loaded) => loaded.router.chat(request, this.route(options, request)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A streaming chat completion: iterate it for events, or `await stream.final()`. Failures before the first
   * content token are retried or failed over invisibly. */
  stream(params: ChatParams, options: CallOptions = {}): ChatStream {
    const request = prepareRequest(params as ChatRequest, this.config, this.backend.openRouterApi);
    const route = this.route(options, request);
    return new ChatStream(
      {
        batches: (signal) =>
          this.engine
            ? this.engine.router.streamBatches(request, route, signal)
            : deferredBatches(this.loadEngine().then((engine) => engine.router.streamBatches(request, route, signal))),
      },
      options.signal,
    );
  }

  /** Embeddings for one input or many. */
  async embed(request: EmbeddingRequest, options: CallOptions = {}): Promise<EmbeddingResult> {
    checkSignal(options.signal);
    const runOptions = { ...options, deadlineMs: this.deadline(options) };
    const { runEmbeddings } = await loadEmbeddings();
    return runEmbeddings(this.backend, request, runOptions);
  }

  private async openRouterJson<T>(path: string, query?: Record<string, string>, signal?: AbortSignal): Promise<T> {
    if (!this.backend.openRouterApi) {
      throw new SwitchyardError(`Provider "${this.backend.name}" does not offer ${path} (an OpenRouter endpoint)`);
    }
    const transport = await this.backend.transport();
    const { data } = await transport.json<{ data: T }>({
      method: 'GET',
      path,
      query,
      signal,
      deadlineMs: this.config.timeoutMs,
    });
    // `{ data: null }` (or no data) is no record: said as the unexpected answer it is, not returned as one.
    if (typeof data.data !== 'object' || data.data === null) {
      throw new UnexpectedResponseError(`${path} answered without a data object`);
    }
    return data.data;
  }

  /** The calling key's limit and usage (`GET /key`). */
  key(options: CallOptions = {}): Promise<KeyInfo> {
    return this.openRouterJson<KeyInfo>('/key', undefined, options.signal);
  }

  /** Account credits (`GET /credits`; management keys only). */
  credits(options: CallOptions = {}): Promise<Credits> {
    return this.openRouterJson<Credits>('/credits', undefined, options.signal);
  }

  /**
   * OpenRouter's record of a request. The record appears a moment after the request ends, so a 404 is retried
   * with backoff for up to `waitMs` (default 3 s) before NotFoundError is thrown.
   */
  async generation(id: string, options: CallOptions & { waitMs?: number } = {}): Promise<Generation> {
    const until = Date.now() + (options.waitMs ?? 3000);
    for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
      try {
        return await this.openRouterJson<Generation>('/generation', { id }, options.signal);
      } catch (error) {
        if (!(error instanceof NotFoundError) || Date.now() + delay > until) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Replaces a result's cost by the one OpenRouter billed, from its `/generation` record (retrying the record's
   * "not yet available" 404 for up to `waitMs`, default 3 s): updates `result.cost` (`source: 'reported'`,
   * `driftUsd` against the computed cost), emits `cost_backfilled` and tells the usage sinks. `costBackfill: true`
   * does this automatically for answers that carried no cost.
   */
  backfillCost(result: ChatResult, options: { signal?: AbortSignal; waitMs?: number } = {}): Promise<Cost> {
    return this.accounting.backfill(result, options);
  }

  /** The answer's text for one prompt. */
  async generate(prompt: string, params: GenerateParams = {}): Promise<string> {
    return (await this.chat(promptRequest(prompt, [], params))).text;
  }

  /** The answer's text for a prompt after earlier turns (`{ role, content }` messages, oldest first). */
  async generateWithContext(prompt: string, history: Message[], params: GenerateParams = {}): Promise<string> {
    return (await this.chat(promptRequest(prompt, history, params))).text;
  }

  /** The answer's text as it streams. */
  async *generateStream(prompt: string, params: GenerateParams = {}, history: Message[] = []): AsyncGenerator<string> {
    for await (const event of this.stream(promptRequest(prompt, history, params))) {
      if (event.type === 'text') yield event.text;
    }
  }

  /** One embedding vector for one text (model: `params.model`, else `openai/text-embedding-3-small`). */
  async getEmbedding(text: string, model = 'openai/text-embedding-3-small'): Promise<number[]> {
    const result = await this.embed({ model, input: text });
    const vector = result.embeddings[0];
    if (!vector) throw new SwitchyardError('The embeddings response had no vector');
    return vector;
  }

  /**
   * The tool-call loop: asks the model, runs the tools it calls (validated arguments, concurrently), sends the
   * results back, until it answers or `maxSteps`/`maxCost` stops it. The agents toolkit loads on first use.
   */
  async runTools<P extends Record<string, SchemaLike>>(
    options: RunToolsOptions<P>,
    callOptions: CallOptions = {},
  ): Promise<ToolLoopResult> {
    return (await loadAgents()).runTools(this, options, callOptions);
  }

  /** `runTools` as a stream of step, delta and tool-result events; `final()` resolves to the loop's result. */
  streamTools<P extends Record<string, SchemaLike>>(
    options: RunToolsOptions<P>,
    callOptions: CallOptions = {},
  ): ToolLoopStream {
    const stream = loadAgents().then((toolkit) => toolkit.streamTools(this, options, callOptions));
    return {
      async *[Symbol.asyncIterator]() {
        yield* await stream;
      },
      final: async () => (await stream).final(),
    };
  }

  /** A schema-validated object (JSON Schema or Standard Schema such as zod), repaired up to `maxRepairs` times. */
  async object<S extends SchemaLike>(
    options: ObjectOptions<S>,
    callOptions: CallOptions = {},
  ): Promise<ObjectResult<InferSchema<S>>> {
    return (await loadAgents()).generateObject(this, options, callOptions);
  }

  /** The conversation-style Provider interface, for a model (default: the configured default model). */
  provider(options: { name?: string; model?: string } = {}): Provider {
    const model = options.model ?? this.config.defaultModel;
    const name = options.name ?? this.backend.name;
    const client = name === this.backend.name ? this : this.forProvider(name);
    return {
      name,
      model: model ?? '',
      metadata: client.providerMetadata,
      isAvailable: () => client.backend.isAvailable(),
      sendMessage: (content) => client.chat(conversationRequest({ newMessage: content }, model)),
      sendConversation: (request: ConversationRequest) => client.chat(conversationRequest(request, model)),
    };
  }

  private forProvider(name: string): Switchyard {
    const copy = Object.create(Switchyard.prototype) as Switchyard;
    let backend = this.backends.get(name);
    if (!backend) {
      backend = createProvider(this.config, name);
      this.backends.set(name, backend);
    }
    // Same settings, events and usage accounting; its own backend, catalog and routing engine (breakers are per
    // backend anyway).
    Object.assign(copy, {
      config: this.config,
      events: this.events,
      backend,
      backends: this.backends,
      models: catalogFor(backend, this.catalogSettings()),
      accounting: this.accounting,
      engineInput: { ...this.engineInput, backend },
      engine: undefined,
    });
    return copy;
  }

  /** Releases resources (stops an in-process simulator). */
  async close(): Promise<void> {
    this.accounting?.close();
    await Promise.all([...this.backends.values()].map((b) => b.close()));
  }
}

function promptRequest(prompt: string, history: Message[], params: GenerateParams): ChatParams {
  const { system, ...rest } = params;
  const messages: Message[] = [];
  if (system) messages.push({ role: 'system', content: system });
  messages.push(...history, { role: 'user', content: prompt });
  return { ...rest, messages };
}
