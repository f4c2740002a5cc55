import type { KeyRecord } from '../account/accounts.js';
import { textTokens } from '../chat/tokens.js';
import type { SimContext } from '../context.js';
import { faultError, isStatusFault } from '../faults/fault-errors.js';
import type { FaultRule } from '../faults/fault-types.js';
import { sendError, sendJson } from '../http/io.js';
import type { ResponseSession } from '../http/session.js';
import { type SimError, simError } from '../http/sim-error.js';
import { bump, bumpTarget } from '../stats.js';
import { costOf, parseUsd, toUsd } from '../util/money.js';
import { Rng } from '../util/prng.js';

function invalid(field: string, expected: string): SimError {
  return { status: 400, message: `Invalid value for '${field}': expected ${expected}`, metadata: { field } };
}

function isTokenArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.length > 0 && value.every((n) => Number.isInteger(n));
}

/** The inputs as a list, or an error naming the field. Accepts every shape of the reference (§6.2). */
function inputs(input: unknown): unknown[] | SimError {
  if (typeof input === 'string') return [input];
  if (isTokenArray(input)) return [input];
  if (!Array.isArray(input) || input.length === 0) {
    return invalid('input', 'a string, an array of strings, token arrays or content objects');
  }
  const ok = input.every(
    (item) =>
      typeof item === 'string' ||
      isTokenArray(item) ||
      (typeof item === 'object' && item !== null && 'content' in item),
  );
  return ok ? input : invalid('input', 'a string, an array of strings, token arrays or content objects');
}

function tokensOf(item: unknown): number {
  if (typeof item === 'string') return Math.max(1, textTokens(item));
  if (Array.isArray(item)) return item.length;
  return Math.max(1, textTokens(JSON.stringify(item)));
}

/** A unit vector that depends only on (seed, model, input). */
function vector(seed: string, model: string, item: unknown, dimensions: number): number[] {
  const rng = new Rng(`${seed}|${model}|${typeof item === 'string' ? item : JSON.stringify(item)}`);
  const values = new Array<number>(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    const v = rng.next() + rng.next() + rng.next() - 1.5; // roughly normal, cheap
    values[i] = v;
    norm += v * v;
  }
  const scale = 1 / Math.sqrt(norm || 1);
  for (let i = 0; i < dimensions; i++) values[i] = Math.round((values[i] as number) * scale * 1e8) / 1e8;
  return values;
}

function base64(values: number[]): string {
  const buffer = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) buffer.writeFloatLE(values[i] as number, i * 4);
  return buffer.toString('base64');
}

/** `POST /embeddings`: deterministic unit vectors of the model's native size (or `dimensions`). */
export function handleEmbeddings(
  ctx: SimContext,
  session: ResponseSession,
  body: Record<string, unknown>,
  key: KeyRecord,
  headerRule?: FaultRule,
): void {
  const res = session.res;
  if (typeof body.model !== 'string' || body.model === '')
    return sendError(res, invalid('model', 'a model id'), key.userId);
  const items = inputs(body.input);
  if (!Array.isArray(items)) return sendError(res, items, key.userId);
  const resolved = ctx.catalog.resolve(body.model);
  if (!resolved) return sendError(res, simError(400, `${body.model} is not a valid model ID`), key.userId);
  const row = resolved.row;
  if (!row.architecture.output_modalities.includes('embeddings')) {
    return sendError(
      res,
      simError(
        400,
        `${row.id} does not support embeddings. Use the /api/v1/chat/completions endpoint with this model.`,
      ),
      key.userId,
    );
  }
  const native = row.embedding_dimensions ?? 1536;
  const dims = body.dimensions;
  if (dims !== undefined && (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > native)) {
    return sendError(res, invalid('dimensions', `an integer between 1 and ${native}`), key.userId);
  }
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64')
    return sendError(res, invalid('encoding_format', '"float" or "base64"'), key.userId);
  const endpoint = row.endpoints[0];
  if (!endpoint) return sendError(res, simError(404, `No endpoints found for ${row.id}.`), key.userId);
  bumpTarget(ctx.stats.models, row.id, false);
  const faultCtx = { endpoint: 'embeddings' as const, stream: false, key: key.key, model: row.id };
  const hit = ctx.faults.check('request', faultCtx, headerRule) ?? ctx.faults.check('model', faultCtx, headerRule);
  if (hit) {
    bump(ctx.stats.faults, hit.rule.id ?? hit.fault.kind);
    const scene = {
      model: row.id,
      provider: endpoint.provider_name,
      now: ctx.now(),
      promptTokens: 0,
      contextLength: 0,
      userText: '',
    };
    if (isStatusFault(hit.fault)) return sendError(res, faultError(hit.fault, scene, false) as SimError, key.userId);
    if (hit.fault.kind === 'reset-before-headers') return session.reset();
  }
  const promptTokens = items.reduce<number>((sum, item) => sum + tokensOf(item), 0);
  const cost = costOf(promptTokens, parseUsd(endpoint.pricing.prompt));
  if (ctx.accounts.remaining(key) < cost) {
    return sendError(
      res,
      simError(402, 'Insufficient credits. Add more using https://openrouter.ai/credits'),
      key.userId,
    );
  }
  ctx.accounts.charge(key, cost);
  bumpTarget(ctx.stats.models, row.id, true);
  bumpTarget(ctx.stats.providers, endpoint.provider_name, true);
  const size = (dims as number | undefined) ?? native;
  const created = Math.floor(ctx.now() / 1000);
  const data = items.map((item, index) => {
    const values = vector(ctx.settings.seed, row.id, item, size);
    return { object: 'embedding', index, embedding: format === 'base64' ? base64(values) : values };
  });
  sendJson(res, 200, {
    id: ctx.nextGenerationId(created).replace(/^gen-/, 'embd-'),
    object: 'list',
    model: row.id,
    provider: endpoint.provider_name,
    data,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens, cost: toUsd(cost), is_byok: false },
  });
}
