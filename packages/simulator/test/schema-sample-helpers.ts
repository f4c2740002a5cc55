import { Ajv2020 } from 'ajv/dist/2020.js';
import { type SampleOptions, sampleFromSchema } from '../src/chat/schema-sample.js';
import { Rng } from '../src/util/prng.js';

/** What the sampleFromSchema tests share: the seeds, a seeded sample, a draft 2020-12 validator and format patterns. */

export const SEEDS = Array.from({ length: 50 }, (_, i) => i);

// Formats are checked by hand (FORMAT_RE): ajv-formats is not installed.
export const ajv2020 = new Ajv2020({ strict: false, validateFormats: false, allowUnionTypes: true });

export const FORMAT_RE: Record<string, RegExp> = {
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
  time: /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  uri: /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i,
  url: /^https?:\/\/[^\s]+$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  ipv4: /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/,
  hostname: /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i,
};

export const sample = (schema: unknown, seed: number, options?: SampleOptions) =>
  sampleFromSchema(schema, new Rng(seed), options);
