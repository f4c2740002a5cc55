import { lazyModule } from '../errors/chunk-load.js';
import { errorFromWire } from '../errors/from-response.js';
import type { ChatCompletion, ChatRequest } from '../protocol/chat.js';
import { type ProviderBackend, transportOf } from '../providers/provider.js';
import { completionCost, completionCostNow } from '../usage/completion-cost.js';
import type { Cost } from '../usage/cost.js';
import { normalizeUsage } from '../usage/usage.js';
import { finishReasonError } from './finish-error.js';
import { coerceUsageNumbers, contentText, toChatResult } from './result.js';
import type { ChatResult } from './types.js';

export interface RunOptions {
  signal?: AbortSignal;
  /** Overall deadline (non-stream: the whole answer; stream: until the first content token). */
  deadlineMs?: number;
  firstTokenMs?: number;
  idleMs?: number;
  headers?: Record<string, string>;
  /** Streams: also emit `frame` events carrying the upstream SSE frames verbatim (for proxies). */
  frames?: boolean;
}

/** Reading an SSE answer to a non-stream request: rare, so loaded when one arrives. */
const loadSseCompletion = lazyModule("the SDK's SSE reader", () => import('./sse-completion.js'));

/** A body that is not JSON but an SSE stream (`data:` lines, or comments first). */
const SSE_TEXT = /^\uFEFF?\s*(?:data:|:|event:|id:)/;

function sseAnswer(text: string): unknown {
  return SSE_TEXT.test(text) ? loadSseCompletion().then((m) => m.completionFromSse(text)) : undefined;
}

/**
 * Cost of a completion: OpenRouter's reported `usage.cost`, reconciled with our computation from the serving
 * endpoint's prices (else the model's, else the provider's configured prices): `computedUsd`, `driftUsd`,
 * `savingsUsd`. Prices come from the in-memory catalog; only a cold cache waits for a fetch. `request` lets
 * per-image prices count the prompt's images.
 */
export function costOf(backend: ProviderBackend, completion: ChatCompletion, request?: ChatRequest): Promise<Cost> {
  return completionCost(backend, completion, request);
}

/** One non-streaming chat attempt against `backend`. */
export async function runChat(
  backend: ProviderBackend,
  request: ChatRequest,
  options: RunOptions = {},
): Promise<ChatResult> {
  const ready = transportOf(backend);
  const transport = ready instanceof Promise ? await ready : ready;
  const body = { ...request, stream: false };
  const context = { model: request.model };
  const { data, startedAt } = await transport.json<ChatCompletion>({
    method: 'POST',
    path: '/chat/completions',
    body,
    signal: options.signal,
    deadlineMs: options.deadlineMs,
    headers: options.headers,
    context,
    notJson: sseAnswer,
  });
  const choice = data.choices?.[0];
  // A provider failed mid-generation (finish_reason "error", with or without an error object): keep what it
  // produced, and what it was billed, on the error.
  if (choice?.error || choice?.finish_reason === 'error') {
    const text = contentText(choice.message?.content);
    const usage = data.usage ? normalizeUsage(coerceUsageNumbers(data.usage)) : undefined;
    throw errorFromWire(choice.error ?? finishReasonError(choice.native_finish_reason ?? null), 200, {
      model: data.model ?? request.model,
      provider: data.provider,
      generationId: data.id,
      origin: 'body',
      partial: {
        text,
        reasoning: choice.message?.reasoning ?? '',
        toolCalls: [],
        usage: usage && {
          promptTokens: usage.promptTokens,
          completionTokens: usage.completionTokens,
          totalTokens: usage.totalTokens,
        },
        costUsd: typeof data.usage?.cost === 'number' ? data.usage.cost : undefined,
      },
    });
  }
  const result = toChatResult(data, {
    requestedModel: request.model,
    startedAt,
    cost: () => ({ usd: 0, source: 'computed' }),
  });
  // Prices already in memory (the usual case) need no await: each one is a hop on the answer's critical path.
  result.cost = completionCostNow(backend, data, request, result.usage) ?? (await costOf(backend, data, request));
  return result;
}

const STREAM_USAGE = { include_usage: true };

/** How to open one streaming attempt of `request` against `backend`. */
export function attemptOptions(backend: ProviderBackend, request: ChatRequest, options: RunOptions) {
  return {
    open: async (signal: AbortSignal) => {
      const transport = await backend.transport();
      return transport.send({
        method: 'POST',
        path: '/chat/completions',
        // OpenRouter always sends usage (the option is a no-op there); OpenAI and compatible servers only when asked.
        body: { ...request, stream: true, stream_options: request.stream_options ?? STREAM_USAGE },
        signal,
        deadlineMs: options.deadlineMs,
        headers: options.headers,
        context: { model: request.model },
      });
    },
    firstTokenMs: options.firstTokenMs,
    idleMs: options.idleMs,
    frames: options.frames,
    requestedModel: request.model,
    cost: (completion: ChatCompletion) => costOf(backend, completion, request),
  };
}
