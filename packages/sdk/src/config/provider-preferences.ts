// OpenRouter's `provider` preferences object (reference §2.3), checked locally so a typo in switchyard.toml fails at
// start-up naming the key, instead of as a 400 "Unrecognized key(s) in object" on the first request.

const QUANTIZATIONS = [
  'int4',
  'int8',
  'fp4',
  'mxfp4',
  'nvfp4',
  'fp6',
  'fp8',
  'mxfp8',
  'fp16',
  'bf16',
  'fp32',
  'unknown',
];
const SORTS = ['price', 'throughput', 'latency', 'exacto'];
const isStrings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string' && s.trim() !== '');
const isNumberish = (v: unknown) =>
  (typeof v === 'number' && Number.isFinite(v) && v >= 0) ||
  (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)));
const isPercentiles = (v: unknown) =>
  (typeof v === 'number' && v >= 0) ||
  (typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.entries(v).every(([k, n]) => ['p50', 'p75', 'p90', 'p99'].includes(k) && typeof n === 'number'));

const RULES: Record<string, [(value: unknown) => boolean, string]> = {
  order: [isStrings, 'a list of provider slugs'],
  only: [isStrings, 'a list of provider slugs'],
  ignore: [isStrings, 'a list of provider slugs'],
  allow_fallbacks: [(v) => typeof v === 'boolean', 'true or false'],
  require_parameters: [(v) => typeof v === 'boolean', 'true or false'],
  zdr: [(v) => typeof v === 'boolean', 'true or false'],
  enforce_distillable_text: [(v) => typeof v === 'boolean', 'true or false'],
  data_collection: [(v) => v === 'allow' || v === 'deny', '"allow" or "deny"'],
  quantizations: [
    (v) => Array.isArray(v) && v.every((q) => QUANTIZATIONS.includes(q as string)),
    `a list of ${QUANTIZATIONS.join(', ')}`,
  ],
  sort: [
    (v) =>
      (typeof v === 'string' && SORTS.includes(v)) ||
      (typeof v === 'object' &&
        v !== null &&
        !Array.isArray(v) &&
        Object.keys(v).every((k) => k === 'by' || k === 'partition')),
    `one of ${SORTS.join(', ')} or { by, partition }`,
  ],
  preferred_min_throughput: [isPercentiles, 'a number or { p50, p75, p90, p99 }'],
  preferred_max_latency: [isPercentiles, 'a number or { p50, p75, p90, p99 }'],
  max_price: [
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      Object.entries(v).every(
        ([k, n]) => ['prompt', 'completion', 'image', 'audio', 'request'].includes(k) && isNumberish(n),
      ),
    '{ prompt, completion, image, audio, request } in USD per million tokens',
  ],
};

export const PROVIDER_PREFERENCE_KEYS = Object.keys(RULES);

/** The first problem of a preferences object, as `key: reason`, or undefined when it is valid. */
export function providerPreferencesProblem(
  value: Record<string, unknown>,
): { key: string; reason: string } | undefined {
  for (const [key, item] of Object.entries(value)) {
    const rule = RULES[key];
    if (!rule) return { key, reason: `unknown provider preference (known: ${PROVIDER_PREFERENCE_KEYS.join(', ')})` };
    if (!rule[0](item)) return { key, reason: `must be ${rule[1]}` };
  }
  return undefined;
}
