import type { ChatDefaults } from './options.js';

// Validation of per-request defaults, with the ranges OpenRouter documents (reference §2.1). A default that the
// server would reject on every request is better reported once, at startup, naming where it was set.

interface Rule {
  /** How a string from a config file may be coerced (`"${TEMPERATURE:-0.7}"` interpolates to a string). */
  kind: 'number' | 'boolean' | 'other';
  /** The problem with `value`, or undefined when it is valid. */
  check(value: unknown): string | undefined;
}

function range(min: number, max: number, opts: { minExclusive?: boolean; integer?: boolean } = {}): Rule {
  return {
    kind: 'number',
    check(value) {
      if (typeof value !== 'number' || Number.isNaN(value)) return 'must be a number';
      if (opts.integer && !Number.isInteger(value)) return 'must be a whole number';
      const low = opts.minExclusive ? value <= min : value < min;
      if (!low && value <= max) return undefined;
      if (max === Number.POSITIVE_INFINITY)
        return opts.minExclusive ? `must be greater than ${min}` : `must be at least ${min}`;
      return opts.minExclusive ? `must be greater than ${min} and at most ${max}` : `must be between ${min} and ${max}`;
    },
  };
}

function oneOf(values: readonly string[]): Rule {
  return {
    kind: 'other',
    check: (value) =>
      typeof value === 'string' && values.includes(value) ? undefined : `must be one of ${values.join(', ')}`,
  };
}

const boolean: Rule = { kind: 'boolean', check: (v) => (typeof v === 'boolean' ? undefined : 'must be true or false') };
const string: Rule = { kind: 'other', check: (v) => (typeof v === 'string' ? undefined : 'must be a string') };
const object: Rule = {
  kind: 'other',
  check: (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : 'must be a table/object'),
};
const strings: Rule = {
  kind: 'other',
  check: (v) => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? undefined : 'must be a list of strings'),
};
const stop: Rule = {
  kind: 'other',
  check(v) {
    if (typeof v === 'string') return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) return 'must be a string or a list of strings';
    return v.length <= 4 ? undefined : 'must have at most 4 stop sequences';
  },
};
const ANY_INTEGER = range(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, { integer: true });

export const CHAT_DEFAULT_RULES: Readonly<Record<keyof ChatDefaults, Rule>> = {
  temperature: range(0, 2),
  top_p: range(0, 1, { minExclusive: true }),
  top_k: range(0, Number.POSITIVE_INFINITY, { integer: true }),
  min_p: range(0, 1),
  top_a: range(0, 1),
  frequency_penalty: range(-2, 2),
  presence_penalty: range(-2, 2),
  repetition_penalty: range(0, 2, { minExclusive: true }),
  max_tokens: range(0, Number.POSITIVE_INFINITY, { minExclusive: true, integer: true }),
  max_completion_tokens: range(0, Number.POSITIVE_INFINITY, { minExclusive: true, integer: true }),
  seed: ANY_INTEGER,
  stop,
  reasoning_effort: oneOf(['max', 'xhigh', 'high', 'medium', 'low', 'minimal', 'none']),
  reasoning: object,
  verbosity: oneOf(['low', 'medium', 'high', 'xhigh', 'max']),
  service_tier: oneOf(['auto', 'default', 'fast', 'flex', 'priority', 'scale']),
  logprobs: boolean,
  top_logprobs: range(0, 20, { integer: true }),
  parallel_tool_calls: boolean,
  transforms: strings,
  provider: object,
  user: string,
};

export const CHAT_DEFAULT_NAMES: readonly string[] = Object.keys(CHAT_DEFAULT_RULES);

export function chatDefaultRule(name: string): Rule | undefined {
  return Object.hasOwn(CHAT_DEFAULT_RULES, name) ? CHAT_DEFAULT_RULES[name as keyof ChatDefaults] : undefined;
}
