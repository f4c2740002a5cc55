import { catalogOf, catalogWaitMs } from '../catalog/model-catalog.js';
import { within } from '../catalog/within.js';
import { loadStreamAttempt } from '../chat/load-stream.js';
import { attemptOptions, type RunOptions, runChat } from '../chat/run-chat.js';
import type { ChatResult, StreamEvent } from '../chat/types.js';
import { estimateRequestTokens } from '../context/token-estimator.js';
import type { SwitchyardError } from '../errors/switchyard-error.js';
import type { Model } from '../protocol/catalog.js';
import type { ChatRequest } from '../protocol/chat.js';
import type { Message } from '../protocol/messages.js';
import { OpenRouterApiBackend } from '../providers/openrouter.js';
import { transportOf } from '../providers/provider.js';
import type { Transport } from '../transport/transport.js';
import type { UsageRecord, UsageTags } from '../usage/sink.js';
import { ZERO_USAGE } from '../usage/usage.js';
import { usageRecords } from '../usage/usage-records.js';
import { findModel } from './catalog-lookup.js';
import { breakerKey } from './circuit-breaker.js';
import { withContext } from './droppable-context.js';
import { type AttemptInfo, countsAgainstTarget, type EngineDeps, executeTargets, typedError } from './execute.js';
import { raceHedge } from './hedge.js';
import { planTargets, type Target } from './plan.js';
import type { AttemptRecord } from './trace.js';

export interface RouteOptions extends RunOptions {
  /** Droppable context (e.g. retrieved documents), inserted before the last user message; the first thing given up
   * when the prompt is too long (`onContextLengthError: 'drop-context'`). */
  context?: Message[];
  /** Called once when the call is over (answered, failed, or a stream closed early), with its whole trace. */
  onEnd?: (end: CallEnd) => void;
}

/** How a call ended, for usage accounting: every attempt, and the result or the error. */
export interface CallEnd {
  stream: boolean;
  trace: AttemptRecord[];
  result?: ChatResult;
  error?: SwitchyardError;
  /**
   * The call's usage records (`usageRecords`), given to `onEnd` by the engine: building them lives in the engine's
   * lazily loaded code, so the client's up-front bundle does not carry it.
   */
  records?: (tags: UsageTags) => UsageRecord[];
}

/** The fallback chain of a call, and the catalog it was planned with. */
interface Planned {
  targets: Target[];
  catalog?: readonly Model[];
}

/** What the trace records as an answer's cost: none when it is unknown (`unpriced`), rather than a $0 that reads
 * as free. */
const tracedCost = (result: ChatResult) => (result.cost.unpriced ? undefined : result.cost.usd);

/** What a non-streaming attempt's result tells the trace. */
function describeResult(result: ChatResult): AttemptInfo {
  return {
    servedModel: result.model,
    provider: result.provider,
    usage: result.usage,
    costUsd: tracedCost(result),
    ttftMs: result.timing.ttftMs,
  };
}

/**
 * Completes the trace record of a stream that failed after content had reached the consumer (it was recorded as a
 * success at the first token) with what the error knows: its status, and the partial answer's served model,
 * provider, generation, usage and billed cost — the same the usage sinks read from `error.partial`.
 */
function recordStreamFailure(record: AttemptRecord, error: SwitchyardError): void {
  const partial = error.partial;
  record.status ??= error.status;
  record.provider ??= error.provider ?? partial?.provider;
  record.generationId ??= error.generationId ?? partial?.generationId;
  if (partial?.model) record.servedModel = partial.model;
  if (partial?.usage) record.usage = { ...ZERO_USAGE, ...partial.usage };
  if (partial?.costUsd !== undefined) record.costUsd = partial.costUsd;
  record.latencyMs = Date.now() - record.startedAt;
}

function ended(options: RouteOptions, end: CallEnd): void {
  end.records = (tags) => usageRecords(end, tags);
  try {
    options.onEnd?.(end);
  } catch {
    // Accounting must never fail the call it accounts for.
  }
}

/** The routing engine: plans the fallback chain and runs it for chats and streams. */
export class Router {
  constructor(readonly deps: EngineDeps) {}

  /** The catalog, when a decision needs it (preflight, price guard, selection); undefined when unavailable. Answers
   * without a promise when the backend's own catalog already knows (a cached list, or a remembered failure), and
   * waits for a fetch at most the catalog's `waitMs` (see `CATALOG_WAIT_MS`). */
  private catalog(request: ChatRequest): readonly Model[] | undefined | Promise<readonly Model[] | undefined> {
    const { config, backend } = this.deps;
    const routing = config.routing;
    const needed =
      routing.preflight !== 'off' ||
      Number.isFinite(routing.maxPromptPrice) ||
      Number.isFinite(routing.maxCompletionPrice) ||
      this.deps.budget !== undefined ||
      (request.model === undefined && config.defaultModel === undefined && config.fallbackModels.length === 0);
    if (!needed) return undefined;
    // The catalog is advisory: when it cannot be fetched, or not in time, requests still go out without the checks.
    // A late fetch carries on, and the catalog caches its list (or remembers its failure) for later requests.
    // OpenRouter-type backends list their models from their own catalog: ask it synchronously first.
    const catalog = backend.listModels === OpenRouterApiBackend.prototype.listModels ? catalogOf(backend) : undefined;
    if (catalog) {
      const known = catalog.peekList();
      if (known) return 'value' in known ? known.value : undefined;
      return catalog.consultList();
    }
    return within(backend.listModels(), catalogWaitMs(backend));
  }

  /** The fallback chain; without a promise when nothing needs fetching (the usual case: a promise per request is
   * latency on every call). Throws MissingApiKeyError before anything touches the network. */
  private plan(params: ChatRequest, options: RouteOptions): Planned | Promise<Planned> {
    const transport = transportOf(this.deps.backend);
    return transport instanceof Promise
      ? transport.then((ready) => this.planWith(ready, params, options))
      : this.planWith(transport, params, options);
  }

  private planWith(transport: Transport, params: ChatRequest, options: RouteOptions): Planned | Promise<Planned> {
    // A missing key fails before anything else touches the network (the catalog is public, chats are not).
    transport.assertKey();
    const request = withContext(params, options.context);
    const listed = this.catalog(request);
    return listed instanceof Promise
      ? listed.then((catalog) => this.targets(request, catalog))
      : this.targets(request, listed);
  }

  private targets(request: ChatRequest, catalog: readonly Model[] | undefined): Planned {
    const family = request.model && catalog ? findModel(catalog, request.model)?.architecture.tokenizer : undefined;
    const targets = planTargets({
      request,
      config: this.deps.config,
      openRouterApi: this.deps.backend.openRouterApi,
      catalog,
      promptTokens: () => estimateRequestTokens(request, family).total,
      healthScore: (model) => this.deps.health.score(breakerKey(this.deps.backend.name, model)),
    });
    return { targets, catalog };
  }

  /** When everything must be done (0 disables the deadline, as it does every timeout). */
  private deadline(options: RouteOptions): number {
    const ms = options.deadlineMs ?? this.deps.config.timeoutMs;
    return ms > 0 ? Date.now() + ms : Number.POSITIVE_INFINITY;
  }

  /** A chat completion through the fallback chain; the result carries the attempt trace. */
  chat(params: ChatRequest, options: RouteOptions = {}): Promise<ChatResult> {
    // Without an end hook the routed promise is the answer: no async wrapper (two more ticks per call) around it.
    return options.onEnd ? this.chatWithEnd(params, options) : this.routeChat(params, options);
  }

  private async chatWithEnd(params: ChatRequest, options: RouteOptions): Promise<ChatResult> {
    try {
      const result = await this.routeChat(params, options);
      ended(options, { stream: false, trace: result.attempts ?? [], result });
      return result;
    } catch (error) {
      const failure = typedError(error);
      ended(options, { stream: false, trace: failure.attempts ?? [], error: failure });
      throw error;
    }
  }

  private async routeChat(params: ChatRequest, options: RouteOptions): Promise<ChatResult> {
    const deadlineAt = this.deadline(options);
    const planned = this.plan(params, options);
    const { targets, catalog } = planned instanceof Promise ? await planned : planned;
    const backend = this.deps.backend;
    const run = await executeTargets(
      this.deps,
      targets,
      catalog,
      deadlineAt,
      options.signal,
      // Only what a non-streaming attempt reads (a copy of all the route options costs more on every call).
      (request, deadlineMs) =>
        runChat(backend, request, { signal: options.signal, deadlineMs, headers: options.headers }),
      describeResult,
    );
    run.value.requestedModel = params.model ?? run.record.model;
    run.record.generationId = run.value.generationId;
    run.value.attempts = run.trace;
    return run.value;
  }

  /**
   * A streaming completion through the fallback chain, as batches of events (one per network read; see
   * `streamAttempt`) for a `ChatStream` to hand out. Nothing reaches the consumer before the first content token, so
   * failures until then (HTTP errors, in-band errors, stalls, first-token timeouts) are retried or failed over
   * invisibly; after content, a failure is a `StreamError` with the partial output — never a silent end.
   */
  streamBatches(
    params: ChatRequest,
    options: RouteOptions,
    signal: AbortSignal,
  ): AsyncIterator<readonly StreamEvent[]> {
    const { backend, breakers, health } = this.deps;
    const hedgeAfterMs = this.deps.config.routing.hedgeAfterMs;
    // Routing happens on the first next(): everything until the first content token may be retried or failed over.
    const start = async () => {
      const { streamAttempt } = await loadStreamAttempt();
      const open = (request: ChatRequest, attemptSignal: AbortSignal, deadlineMs: number) =>
        streamAttempt(attemptOptions(backend, request, { ...options, deadlineMs }), attemptSignal);
      const deadlineAt = this.deadline(options);
      const { targets, catalog } = await this.plan(params, options);
      const hedgeTarget = (request: ChatRequest): Target | undefined => {
        const index = targets.findIndex((t) => t.model === request.model);
        return hedgeAfterMs > 0 && index >= 0 ? targets[index + 1] : undefined;
      };
      return executeTargets(
        this.deps,
        targets,
        catalog,
        deadlineAt,
        signal,
        (request, deadlineMs) => {
          const hedge = hedgeTarget(request);
          return raceHedge({
            start: (s) => open(request, s, deadlineMs),
            hedge: hedge ? (s) => open({ ...hedge.request }, s, deadlineMs) : undefined,
            hedgeAfterMs,
            signal,
            onHedge: () =>
              this.deps.events.emit('hedge', {
                from: request.model ?? '',
                to: hedge?.model ?? '',
                afterMs: hedgeAfterMs,
              }),
          });
        },
        (first, request, startedAt) => ({
          servedModel: first.hedged ? hedgeTarget(request)?.model : request.model,
          ttftMs: Date.now() - startedAt,
        }),
      );
    };

    let run: Awaited<ReturnType<typeof start>> | undefined;
    let pendingFirst = true;
    let over = false;
    const end = (outcome: Omit<CallEnd, 'stream'>) => {
      if (over) return;
      over = true;
      ended(options, { stream: true, ...outcome });
    };
    const finish = (result: ChatResult) => {
      if (!run) return;
      const { record, trace } = run;
      record.servedModel = result.model;
      record.provider = result.provider;
      record.generationId = result.generationId;
      record.usage = result.usage;
      record.costUsd = tracedCost(result);
      record.latencyMs = Date.now() - record.startedAt;
      result.requestedModel = params.model ?? record.model;
      result.attempts = trace;
      end({ trace, result });
    };
    const failed = async (caught: unknown): Promise<never> => {
      const error = typedError(caught);
      if (run) {
        const { record, key, trace } = run;
        record.outcome = 'failed';
        record.code = error.code;
        record.message = error.message;
        record.reason = 'failed after content had reached the consumer';
        recordStreamFailure(record, error);
        const cause = error.cause instanceof Error ? typedError(error.cause) : error;
        if (countsAgainstTarget(cause))
          await breakers.failure(key, { code: cause.code, status: cause.status, message: cause.message });
        health.record(key, { ok: false, latencyMs: Date.now() - record.startedAt });
        error.attempts = trace;
      }
      end({ trace: error.attempts ?? [], error });
      throw error;
    };
    const check = (step: IteratorResult<StreamEvent[]>): IteratorResult<StreamEvent[]> => {
      // `done` is the last event of the last batch.
      const last = step.done ? undefined : step.value[step.value.length - 1];
      if (last?.type === 'done') finish(last.result);
      return step;
    };
    const first = async (): Promise<IteratorResult<StreamEvent[]>> => {
      run = await start();
      if (run.value.loserError)
        run.record.reason = `hedge: ${run.value.hedged ? 'the hedge' : 'the primary'} answered first`;
      return check(run.value.step);
    };
    // Hand-written rather than an async generator, and no async function per step: it sits on the hot path.
    return {
      next: () => {
        if (pendingFirst) {
          pendingFirst = false;
          return first().catch(failed);
        }
        // `check` does not throw (it only records the result): one promise per step, not two.
        if (run) return run.value.generator.next().then(check, failed);
        return Promise.resolve({ done: true, value: undefined });
      },
      return: async () => {
        await run?.value.generator.return(undefined).catch(() => {});
        if (run) end({ trace: run.trace });
        return { done: true, value: undefined };
      },
    };
  }
}
