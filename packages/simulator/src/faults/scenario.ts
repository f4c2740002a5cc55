import { readFileSync } from 'node:fs';
import type { Scenario } from '../options.js';
import { FAULT_KINDS, type FaultRule } from './fault-types.js';

/** A scenario file or object that cannot be used; `message` names the offending path. */
export class ScenarioError extends Error {
  readonly code = 'invalid_scenario';
  override name = 'ScenarioError';
}

const TOP_LEVEL = new Set([
  '$schema',
  'description',
  'seed',
  'pace',
  'stream',
  'generationDelayMs',
  'nonStreamKeepAliveMs',
  'credits',
  'keys',
  'openKeys',
  'freeTier',
  'defaultModel',
  'maxBodyBytes',
  'cacheMinTokens',
  'replyTokens',
  'rules',
]);
const RULE_KEYS = new Set(['id', 'match', 'nth', 'first', 'every', 'after', 'probability', 'fault']);
const MATCH_KEYS = new Set(['model', 'provider', 'stream', 'endpoint', 'key']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, problem: string): never {
  throw new ScenarioError(`${path}: ${problem}`);
}

function checkNumber(value: unknown, path: string, min = 0, max = Number.POSITIVE_INFINITY): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(path, `expected a number between ${min} and ${max}, got ${JSON.stringify(value)}`);
  }
}

function checkRule(rule: unknown, path: string): FaultRule {
  if (!isObject(rule)) fail(path, 'expected an object');
  for (const key of Object.keys(rule)) if (!RULE_KEYS.has(key)) fail(`${path}.${key}`, 'unknown field');
  if (rule.match !== undefined) {
    if (!isObject(rule.match)) fail(`${path}.match`, 'expected an object');
    for (const key of Object.keys(rule.match)) if (!MATCH_KEYS.has(key)) fail(`${path}.match.${key}`, 'unknown field');
  }
  if (rule.nth !== undefined) {
    if (!Array.isArray(rule.nth) || rule.nth.some((n) => !Number.isInteger(n) || n < 1)) {
      fail(`${path}.nth`, 'expected a list of positive integers');
    }
  }
  checkNumber(rule.first, `${path}.first`);
  checkNumber(rule.every, `${path}.every`, 1);
  checkNumber(rule.after, `${path}.after`);
  checkNumber(rule.probability, `${path}.probability`, 0, 1);
  const fault = rule.fault;
  if (!isObject(fault)) fail(`${path}.fault`, 'expected an object with a "kind"');
  if (!FAULT_KINDS.includes(fault.kind as never)) {
    fail(`${path}.fault.kind`, `unknown kind ${JSON.stringify(fault.kind)}; one of ${FAULT_KINDS.join(', ')}`);
  }
  if (fault.kind === 'http') checkNumber(fault.status, `${path}.fault.status`, 400, 599);
  if (fault.kind === 'http' && fault.status === undefined) fail(`${path}.fault.status`, 'required for kind "http"');
  if (fault.kind === 'slow-headers') checkNumber(fault.delayMs, `${path}.fault.delayMs`);
  for (const field of ['afterChunks', 'durationMs', 'intervalMs', 'retryAfterMs']) {
    checkNumber(fault[field], `${path}.fault.${field}`);
  }
  return rule as unknown as FaultRule;
}

/** Validates a scenario object; throws ScenarioError naming the first bad field. */
export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  if (!isObject(value)) fail(source, 'expected a JSON object');
  for (const key of Object.keys(value)) if (!TOP_LEVEL.has(key)) fail(`${source}.${key}`, 'unknown field');
  const pace = value.pace;
  if (pace !== undefined && pace !== 'instant' && pace !== 'demo' && !isObject(pace)) {
    fail(`${source}.pace`, 'expected "instant", "demo" or {ttftMs, tokensPerSecond}');
  }
  if (isObject(pace)) {
    checkNumber(pace.ttftMs, `${source}.pace.ttftMs`);
    checkNumber(pace.tokensPerSecond, `${source}.pace.tokensPerSecond`, 0.001);
    checkNumber(pace.maxTotalMs, `${source}.pace.maxTotalMs`);
  }
  if (value.stream !== undefined) {
    if (!isObject(value.stream)) fail(`${source}.stream`, 'expected an object');
    const shape = value.stream.usageChunk;
    if (shape !== undefined && !['no-choices', 'empty-choice', 'with-finish'].includes(shape as string)) {
      fail(`${source}.stream.usageChunk`, 'expected "no-choices", "empty-choice" or "with-finish"');
    }
    checkNumber(value.stream.processingComments, `${source}.stream.processingComments`, 0, 100);
    checkNumber(value.stream.commentEvery, `${source}.stream.commentEvery`);
    checkNumber(value.stream.chunkTokens, `${source}.stream.chunkTokens`, 1);
  }
  checkNumber(value.generationDelayMs, `${source}.generationDelayMs`);
  checkNumber(value.nonStreamKeepAliveMs, `${source}.nonStreamKeepAliveMs`);
  checkNumber(value.credits, `${source}.credits`, Number.NEGATIVE_INFINITY);
  checkNumber(value.maxBodyBytes, `${source}.maxBodyBytes`, 1);
  checkNumber(value.cacheMinTokens, `${source}.cacheMinTokens`);
  if (value.replyTokens !== undefined) {
    const range = value.replyTokens;
    if (!Array.isArray(range) || range.length !== 2 || !(range[0] >= 1) || !(range[1] >= range[0])) {
      fail(`${source}.replyTokens`, 'expected [min, max] with 1 <= min <= max');
    }
  }
  if (value.keys !== undefined) {
    if (!Array.isArray(value.keys)) fail(`${source}.keys`, 'expected a list');
    value.keys.forEach((key, i) => {
      if (!isObject(key) || typeof key.key !== 'string' || key.key === '') fail(`${source}.keys[${i}].key`, 'required');
    });
  }
  if (value.rules !== undefined) {
    if (!Array.isArray(value.rules)) fail(`${source}.rules`, 'expected a list');
    for (const [i, rule] of value.rules.entries()) checkRule(rule, `${source}.rules[${i}]`);
  }
  return value as Scenario;
}

/** Reads and validates a scenario JSON file. */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(`cannot read scenario file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseScenario(value, path);
}

/** Parses the per-request `x-simulator-fault` header: a JSON fault, a bare status (`429`) or a bare kind. */
export function parseFaultHeader(value: string): FaultRule {
  const trimmed = value.trim();
  let fault: unknown;
  if (/^\d{3}$/.test(trimmed)) fault = { kind: 'http', status: Number(trimmed) };
  else if (trimmed.startsWith('{')) {
    try {
      fault = JSON.parse(trimmed);
    } catch {
      throw new ScenarioError('x-simulator-fault: not valid JSON');
    }
  } else fault = { kind: trimmed };
  const { model, provider, ...rest } = fault as Record<string, unknown>;
  const match: Record<string, unknown> = {};
  if (typeof model === 'string') match.model = model;
  if (typeof provider === 'string') match.provider = provider;
  return checkRule({ id: 'header', match, fault: rest }, 'x-simulator-fault');
}
