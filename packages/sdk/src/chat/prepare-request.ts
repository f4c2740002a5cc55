import { isLooseModelId, modelIdProblem, resolveAlias } from '../config/model-id.js';
import type { ResolvedConfig } from '../config/options.js';
import { InvalidRequestError } from '../errors/http-errors.js';
import type { ChatRequest, ProviderPreferences } from '../protocol/chat.js';

/** OpenRouter-only fields that plain OpenAI-compatible servers reject as unknown arguments. */
const OPENROUTER_ONLY = [
  'models',
  'provider',
  'plugins',
  'transforms',
  'route',
  'usage',
  'reasoning',
  'include_reasoning',
  'session_id',
  'trace',
  'debug',
  'cache_control',
];

function invalid(message: string, field?: string): InvalidRequestError {
  return new InvalidRequestError(message, { status: 400, metadata: field ? { field } : undefined });
}

function range(request: ChatRequest, field: keyof ChatRequest, min: number, max: number, integer = false): void {
  const value = request[field];
  if (value === undefined || value === null) return;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    const bound =
      max === Number.MAX_SAFE_INTEGER ? `${integer ? 'an integer' : 'a number'} ≥ ${min}` : `between ${min} and ${max}`;
    throw invalid(`Invalid ${String(field)} ${JSON.stringify(value)}: must be ${bound}`, String(field));
  }
}

/** A model name as the wire needs it: aliases and `[models.<name>]` entries resolved, with that entry's routing. */
export interface ResolvedTarget {
  model: string;
  /** Provider preferences from `[models.<name>]` (`routing` → `order`, plus its `provider` table). */
  provider?: ProviderPreferences;
}

export function resolveTarget(name: string, config: ResolvedConfig, openRouterApi: boolean): ResolvedTarget {
  const entry = config.models[name];
  const model = resolveAlias(entry ? entry.model : name, config.aliases);
  if (openRouterApi) {
    const problem = modelIdProblem(model);
    if (problem) throw invalid(`Invalid model "${model}": ${problem}`, 'model');
  } else if (!isLooseModelId(model)) throw invalid(`Invalid model "${model}"`, 'model');
  const target: ResolvedTarget = { model };
  if (entry && openRouterApi) {
    const preferences: ProviderPreferences = { ...(entry.providerPreferences as ProviderPreferences | undefined) };
    if (entry.routing && entry.routing.length > 0) preferences.order = entry.routing;
    if (Object.keys(preferences).length > 0) target.provider = preferences;
  }
  return target;
}

/** Applies a resolved target to a request: the model, and its routing under the caller's own preferences. */
export function withTarget(request: ChatRequest, target: ResolvedTarget): ChatRequest {
  const out: ChatRequest = { ...request, model: target.model };
  if (target.provider) out.provider = { ...target.provider, ...request.provider };
  return out;
}

/**
 * The request as it goes on the wire, before routing picks its model: configured defaults under the caller's
 * values, the caller's model resolved (aliases, `[models.<name>]`), obvious mistakes refused before any network
 * call, and OpenRouter-only fields dropped for plain OpenAI-compatible servers.
 */
export function prepareRequest(params: ChatRequest, config: ResolvedConfig, openRouterApi: boolean): ChatRequest {
  if (!Array.isArray(params.messages) || params.messages.length === 0) {
    throw invalid('messages must be a non-empty array of { role, content } objects', 'messages');
  }
  const request: ChatRequest = { ...config.defaults, ...params } as ChatRequest;
  if (config.defaults.provider && params.provider)
    request.provider = { ...config.defaults.provider, ...params.provider };
  if (request.model !== undefined) {
    // `withTarget` on the copy made just above, without copying it again.
    const target = resolveTarget(request.model, config, openRouterApi);
    request.model = target.model;
    if (target.provider) request.provider = { ...target.provider, ...request.provider };
  }
  if (Array.isArray(request.models)) {
    request.models = request.models.map((m) => resolveTarget(m, config, openRouterApi).model);
  }
  range(request, 'temperature', 0, 2);
  range(request, 'top_p', 0, 1);
  range(request, 'max_tokens', 1, Number.MAX_SAFE_INTEGER, true);
  range(request, 'max_completion_tokens', 1, Number.MAX_SAFE_INTEGER, true);
  range(request, 'frequency_penalty', -2, 2);
  range(request, 'presence_penalty', -2, 2);
  if (!openRouterApi) for (const field of OPENROUTER_ONLY) delete request[field];
  return request;
}
