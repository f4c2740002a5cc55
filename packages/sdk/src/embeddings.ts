import { catalogOf } from './catalog/model-catalog.js';
import { InvalidModelError, UnexpectedResponseError } from './errors/http-errors.js';
import type { EmbeddingRequest, EmbeddingResponse } from './protocol/account.js';
import type { ProviderBackend } from './providers/provider.js';
import { withModelSuggestion } from './routing/model-suggestion.js';
import { type Cost, resolveCost } from './usage/cost.js';

export interface EmbeddingResult {
  /** One vector per input, in input order (base64 answers are decoded). */
  embeddings: number[][];
  model: string;
  promptTokens: number;
  cost: Cost;
  raw: EmbeddingResponse;
}

/** Decodes a base64 little-endian float32 vector (`encoding_format: "base64"`), without Node's Buffer. */
export function decodeBase64Floats(text: string): number[] {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const out = new Array<number>(bytes.length >> 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** `decodeBase64Floats`, with text that is not base64 refused as the unexpected answer it is. */
function decodeVector(text: string, model: string): number[] {
  try {
    return decodeBase64Floats(text);
  } catch {
    const message = `The embeddings answer of ${model} has a vector that is neither numbers nor base64`;
    throw new UnexpectedResponseError(message, { model });
  }
}

/** How many vectors a request asks for: one per input, a single string or token list being one input. */
export function inputCount(input: EmbeddingRequest['input']): number {
  if (!Array.isArray(input)) return 1;
  return input.length > 0 && typeof input[0] === 'number' ? 1 : input.length;
}

/**
 * The answer's vectors in input order. A provider that returns fewer or more vectors than inputs, or repeats an
 * index, would silently pair inputs with other inputs' vectors (a search index built on it is wrong without any
 * error): refused instead.
 */
function vectorsInOrder(data: EmbeddingResponse, wanted: number): EmbeddingResponse['data'] {
  const rows: unknown[] = Array.isArray(data.data) ? data.data : [];
  if (!rows.every(isVectorRow)) {
    throw new UnexpectedResponseError(
      `The embeddings answer of ${data.model ?? 'the model'} has a row that is no vector`,
      { model: data.model },
    );
  }
  return ordered(data, rows, wanted);
}

/** A row with an embedding: a list of numbers, or their base64 text. */
const isVectorRow = (row: unknown): row is EmbeddingResponse['data'][number] => {
  const embedding = (row as { embedding?: unknown } | null)?.embedding;
  return Array.isArray(embedding) || typeof embedding === 'string';
};

function ordered(data: EmbeddingResponse, rows: EmbeddingResponse['data'], wanted: number): EmbeddingResponse['data'] {
  const sorted = [...rows].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const indexes = new Set(rows.map((row, i) => row.index ?? i));
  if (rows.length !== wanted || indexes.size !== wanted) {
    throw new UnexpectedResponseError(
      `The embeddings answer of ${data.model ?? 'the model'} has ${rows.length} vector(s)` +
        `${indexes.size === rows.length ? '' : ' with repeated indexes'} for ${wanted} input(s)`,
      { model: data.model },
    );
  }
  return sorted;
}

export async function runEmbeddings(
  backend: ProviderBackend,
  request: EmbeddingRequest,
  options: { signal?: AbortSignal; deadlineMs?: number; headers?: Record<string, string> } = {},
): Promise<EmbeddingResult> {
  const transport = await backend.transport();
  const { data } = await transport
    .json<EmbeddingResponse>({
      method: 'POST',
      path: '/embeddings',
      body: request,
      signal: options.signal,
      deadlineMs: options.deadlineMs,
      headers: options.headers,
      context: { model: request.model },
    })
    .catch(async (error: unknown) => {
      // An unknown model: the catalog may know what was meant (waited for at most its waitMs, on this path only).
      const catalog = error instanceof InvalidModelError && backend.openRouterApi ? catalogOf(backend) : undefined;
      throw catalog ? withModelSuggestion(error as InvalidModelError, await catalog.consultList()) : error;
    });
  // A model that is no string names the requested one (prices and ledgers are keyed by it).
  if (typeof data.model !== 'string' || data.model === '') data.model = request.model ?? '';
  const embeddings = vectorsInOrder(data, inputCount(request.input)).map((d) =>
    typeof d.embedding === 'string' ? decodeVector(d.embedding, data.model) : d.embedding,
  );
  // Counted as a number whatever the upstream sent (a numeric string is read; anything else is none).
  const reported = Number(data.usage?.prompt_tokens ?? 0);
  const promptTokens = Number.isFinite(reported) && reported > 0 ? reported : 0;
  const usage = {
    promptTokens,
    completionTokens: 0,
    totalTokens: promptTokens,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
  const prices =
    typeof data.usage?.cost === 'number' ? undefined : await backend.prices(data.model).catch(() => undefined);
  const cost = resolveCost(data.usage as never, usage, prices) ?? { usd: 0, source: 'computed', unpriced: true };
  return { embeddings, model: data.model, promptTokens, cost, raw: data };
}
