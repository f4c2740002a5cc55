import { Accounts } from './account/accounts.js';
import { GenerationStore } from './account/generations.js';
import { Catalog } from './catalog/catalog.js';
import { PromptCache } from './chat/prompt-cache.js';
import { StickyRouting } from './chat/sticky-routing.js';
import { FaultMatcher } from './faults/fault-matcher.js';
import { loadScenarioFile, parseScenario } from './faults/scenario.js';
import { FreeTierLimiter } from './limits/free-tier.js';
import type { PaceSetting, Scenario, SimulatorOptions, StreamShape } from './options.js';
import { emptyStats, type SimulatorStats } from './stats.js';
import { Rng } from './util/prng.js';

/** Resolved behaviour settings (scenario defaults applied). */
export interface Settings {
  seed: string;
  pace: PaceSetting;
  stream: StreamShape;
  generationDelayMs: number;
  nonStreamKeepAliveMs: number;
  defaultModel: string;
  maxBodyBytes: number;
  replyRange: [number, number];
}

/** Everything a request handler needs; one per simulator instance. */
export interface SimContext {
  settings: Settings;
  catalog: Catalog;
  accounts: Accounts;
  freeTier: FreeTierLimiter;
  generations: GenerationStore;
  promptCache: PromptCache;
  sticky: StickyRouting;
  faults: FaultMatcher;
  stats: SimulatorStats;
  now: () => number;
  /** A new `gen-<unix seconds>-<20 alphanumerics>` id; deterministic per (seed, request order). */
  nextGenerationId: (createdSeconds: number) => string;
}

/** Explicit options win over the scenario (file or object), which wins over defaults. */
export function mergeScenario(options: SimulatorOptions): Scenario {
  const base =
    typeof options.scenario === 'string'
      ? loadScenarioFile(options.scenario)
      : options.scenario
        ? parseScenario(options.scenario)
        : {};
  const merged: Scenario = { ...base };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && !['port', 'host', 'scenario', 'catalog', 'now'].includes(key)) {
      (merged as Record<string, unknown>)[key] = value;
    }
  }
  return parseScenario(merged, 'options');
}

export function createContext(options: SimulatorOptions): SimContext {
  const scenario = mergeScenario(options);
  const now = options.now ?? Date.now;
  const catalog = Catalog.load(options.catalog);
  const settings: Settings = {
    seed: String(scenario.seed ?? 0),
    pace: scenario.pace ?? 'instant',
    stream: scenario.stream ?? {},
    generationDelayMs: scenario.generationDelayMs ?? 0,
    nonStreamKeepAliveMs: scenario.nonStreamKeepAliveMs ?? 1000,
    defaultModel: scenario.defaultModel ?? 'openai/gpt-4o-mini',
    maxBodyBytes: scenario.maxBodyBytes ?? 10 * 1024 * 1024,
    replyRange: scenario.replyTokens ?? [16, 64],
  };
  if (!catalog.resolve(settings.defaultModel)) {
    throw new Error(`defaultModel ${settings.defaultModel} is not in the catalog`);
  }
  const accounts = new Accounts(scenario.keys ?? [], scenario.credits ?? 1000, scenario.openKeys ?? true, now);
  const perDay = scenario.freeTier?.perDay;
  const ids = new Rng(`${settings.seed}|generation-ids`);
  return {
    settings,
    catalog,
    accounts,
    freeTier: new FreeTierLimiter(
      scenario.freeTier?.perMinute ?? 20,
      () => perDay ?? (accounts.purchasedTen ? 1000 : 50),
      now,
    ),
    generations: new GenerationStore(() => settings.generationDelayMs, now),
    promptCache: new PromptCache(scenario.cacheMinTokens ?? 1024, now),
    sticky: new StickyRouting(now),
    faults: new FaultMatcher(scenario.rules ?? [], settings.seed),
    stats: emptyStats(),
    now,
    nextGenerationId: (created) => `gen-${created}-${ids.alnum(20)}`,
  };
}
