import { Rng } from '../util/prng.js';
import type { Fault, FaultRule } from './fault-types.js';

/** Where in the request a rule acts: the whole request, one model of a fallback list, or one provider endpoint. */
export type FaultLevel = 'request' | 'model' | 'provider';

export interface FaultContext {
  endpoint: 'chat' | 'embeddings' | 'other';
  stream: boolean;
  key: string;
  model?: string;
  /** Names the attempted endpoint answers to (display name, slug, tag). */
  providerNames?: string[];
}

export interface FaultHit {
  rule: FaultRule;
  fault: Fault;
}

export function levelOf(rule: FaultRule): FaultLevel {
  if (rule.match?.provider) return 'provider';
  if (rule.match?.model) return 'model';
  return 'request';
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * Evaluates fault rules in order. Each rule counts the requests it matched, so `nth`, `first`, `every` and
 * `after` are deterministic by request count, and `probability` is deterministic by seed and count.
 */
export class FaultMatcher {
  private rules: FaultRule[] = [];
  private counts: number[] = [];
  private patterns: (RegExp | undefined)[] = [];

  constructor(
    rules: FaultRule[],
    private readonly seed: string,
  ) {
    this.setRules(rules);
  }

  setRules(rules: FaultRule[]): void {
    this.rules = rules;
    this.counts = rules.map(() => 0);
    this.patterns = rules.map((rule) => (rule.match?.model ? globToRegExp(rule.match.model) : undefined));
  }

  get size(): number {
    return this.rules.length;
  }

  check(level: FaultLevel, ctx: FaultContext, extra?: FaultRule): FaultHit | undefined {
    if (extra && levelOf(extra) === level && matches(extra, undefined, ctx)) return { rule: extra, fault: extra.fault };
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i] as FaultRule;
      if (levelOf(rule) !== level || !matches(rule, this.patterns[i], ctx)) continue;
      const count = (this.counts[i] ?? 0) + 1;
      this.counts[i] = count;
      if (this.selected(rule, i, count)) return { rule, fault: rule.fault };
    }
    return undefined;
  }

  private selected(rule: FaultRule, index: number, count: number): boolean {
    if (rule.nth && !rule.nth.includes(count)) return false;
    if (rule.first !== undefined && count > rule.first) return false;
    if (rule.every !== undefined && count % rule.every !== 0) return false;
    if (rule.after !== undefined && count <= rule.after) return false;
    if (rule.probability !== undefined) return new Rng(`${this.seed}|rule${index}|${count}`).next() < rule.probability;
    return true;
  }
}

function matches(rule: FaultRule, pattern: RegExp | undefined, ctx: FaultContext): boolean {
  const m = rule.match;
  if (!m) return true;
  const endpoint = m.endpoint ?? (m.model || m.provider ? 'chat' : undefined);
  if (endpoint && endpoint !== ctx.endpoint) return false;
  if (m.stream !== undefined && m.stream !== ctx.stream) return false;
  if (m.key !== undefined && m.key !== ctx.key) return false;
  if (m.model) {
    if (!ctx.model) return false;
    if (!(pattern ?? globToRegExp(m.model)).test(ctx.model)) return false;
  }
  if (m.provider) {
    const wanted = m.provider.toLowerCase();
    if (!ctx.providerNames?.some((name) => name.toLowerCase() === wanted)) return false;
  }
  return true;
}
