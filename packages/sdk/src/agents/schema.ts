import { InvalidSchemaError } from './agent-errors.js';
import { type JsonSchema, type SchemaIssue, validateJsonSchema } from './json-schema-validate.js';
import { isStandardSchema, type StandardOutput, type StandardSchemaV1, standardJsonSchema } from './standard-schema.js';

/** A schema the agents toolkit accepts: a JSON Schema object, or any Standard Schema (zod 4, valibot, arktype…). */
export type SchemaLike = StandardSchemaV1 | { [keyword: string]: unknown };

/** The value a schema yields: a Standard Schema's output type; `Fallback` for a plain JSON Schema. */
export type InferSchema<S, Fallback = unknown> = S extends StandardSchemaV1 ? StandardOutput<S> : Fallback;

export type Validation<T = unknown> = { ok: true; value: T } | { ok: false; issues: SchemaIssue[] };

/** A schema ready for use: its JSON Schema for the wire and a validator (the library's own for Standard Schemas). */
export interface ResolvedSchema {
  jsonSchema: Record<string, unknown>;
  /** `standard:<vendor>` or `json-schema`. */
  kind: string;
  validate(value: unknown): Promise<Validation>;
}

function standardPath(path: StandardIssuePath | undefined): (string | number)[] {
  return (path ?? []).map((segment) => {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
    return typeof key === 'number' ? key : String(key);
  });
}
type StandardIssuePath = ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>;

/**
 * Resolves a tool's `parameters` or a structured-output `schema`. `override` is the JSON Schema to send when a
 * Standard Schema cannot describe itself; `what` names the schema in errors.
 */
export function resolveSchema(schema: SchemaLike, override: Record<string, unknown> | undefined, what: string) {
  if (isStandardSchema(schema)) {
    const props = schema['~standard'];
    const jsonSchema = override ?? standardJsonSchema(schema);
    if (!jsonSchema) {
      throw new InvalidSchemaError(
        `${what}: the ${props.vendor} schema cannot produce a JSON Schema to send to the model; pass its JSON Schema ` +
          'as `jsonSchema` (e.g. from @valibot/to-json-schema)',
      );
    }
    const resolved: ResolvedSchema = {
      jsonSchema,
      kind: `standard:${props.vendor}`,
      async validate(value) {
        const result = await props.validate(value);
        if (result.issues) {
          return {
            ok: false,
            issues: result.issues.map((issue) => ({ path: standardPath(issue.path), message: issue.message })),
          };
        }
        return { ok: true, value: result.value };
      },
    };
    return resolved;
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new InvalidSchemaError(`${what}: expected a JSON Schema object or a Standard Schema (zod, valibot, …)`);
  }
  const jsonSchema = override ?? (schema as Record<string, unknown>);
  const resolved: ResolvedSchema = {
    jsonSchema,
    kind: 'json-schema',
    async validate(value) {
      const issues = validateJsonSchema(schema as JsonSchema, value);
      return issues.length === 0 ? { ok: true, value } : { ok: false, issues };
    },
  };
  return resolved;
}
