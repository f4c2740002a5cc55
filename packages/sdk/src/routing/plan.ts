import { resolveTarget, withTarget } from '../chat/prepare-request.js';
import { resolveAlias } from '../config/model-id.js';
import type { ResolvedConfig } from '../config/options.js';
import type { Model } from '../protocol/catalog.js';
import type { ChatRequest } from '../protocol/chat.js';
import { type SelectionPolicy, selectModels } from './selection.js';

/** One model the engine may try, with the request as it will be sent. */
export interface Target {
  model: string;
  request: ChatRequest;
  /** Asked for by the caller (the price ceiling does not apply to it; the budget does). */
  requested: boolean;
  /** Where it came from, for the trace. */
  origin: 'request' | 'default' | 'fallback' | 'selection';
}

export interface PlanInput {
  request: ChatRequest;
  config: ResolvedConfig;
  openRouterApi: boolean;
  catalog?: readonly Model[];
  /** The prompt's estimated tokens (only computed when the catalog selection needs it). */
  promptTokens: () => number;
  healthScore: (model: string) => number;
}

/**
 * The fallback chain: the requested model then the configured fallbacks; with no model, the configured default,
 * then the fallbacks, then (when neither is configured) the catalog's models that fit, ordered by the selection
 * policy. With the `server` strategy the chain travels as OpenRouter's `models[]` (at most 3) in one request;
 * `both` adds the next two fallbacks as `models[]` to each client-side attempt.
 */
export function planTargets(input: PlanInput): Target[] {
  const { request, config } = input;
  const seen = new Set<string>();
  const chain: { name: string; origin: Target['origin'] }[] = [];
  const add = (name: string, origin: Target['origin']) => {
    const key = resolveAlias(config.models[name]?.model ?? name, config.aliases);
    if (!seen.has(key)) {
      seen.add(key);
      chain.push({ name, origin });
    }
  };
  if (request.model !== undefined) add(request.model, 'request');
  else if (config.defaultModel !== undefined) add(config.defaultModel, 'default');
  for (const name of config.fallbackModels) add(name, 'fallback');
  if (chain.length === 0 && input.catalog && input.openRouterApi) {
    const policy = config.routing.selection as SelectionPolicy;
    for (const id of selectModels(input.catalog, request, input.promptTokens(), policy, input.healthScore)) {
      add(id, 'selection');
    }
  }
  if (chain.length === 0) return [{ model: '', request, requested: true, origin: 'default' }];
  const targets = chain.map(({ name, origin }) => {
    const resolved = resolveTarget(name, config, input.openRouterApi);
    return {
      model: resolved.model,
      // The request as it is when the target changes nothing in it (the usual case: the caller's model was
      // resolved before routing): a copy per request would be the same object again.
      request: resolved.model === request.model && !resolved.provider ? request : withTarget(request, resolved),
      requested:
        origin === 'request' || (origin === 'default' && request.model === undefined && input.catalog === undefined),
      origin,
    };
  });
  const strategy = input.openRouterApi ? config.routing.fallbackStrategy : 'client';
  if (strategy === 'server') {
    const first = targets[0] as Target;
    const models = targets.slice(1, 4).map((t) => t.model);
    return [{ ...first, request: models.length > 0 ? { ...first.request, models } : first.request }];
  }
  if (strategy === 'both') {
    return targets.map((target, i) => {
      const models = targets.slice(i + 1, i + 3).map((t) => t.model);
      return models.length > 0 ? { ...target, request: { ...target.request, models } } : target;
    });
  }
  return targets;
}
