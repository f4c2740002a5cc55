/**
 * Standard Schema (https://standardschema.dev), the interface zod 4, valibot, arktype and others implement, declared
 * here as types only: the SDK recognises such schemas at run time by their `~standard` property and depends on no
 * schema library. Also the optional Standard JSON Schema extension (`~standard.jsonSchema`), through which a schema
 * describes itself as JSON Schema (zod ≥ 4.2 implements it).
 */

/** One problem found by a Standard Schema's `validate`. */
export interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** What `validate` returns: the (possibly transformed) value, or the issues. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardIssue> };

/** The `~standard` property of a Standard Schema, version 1. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1;
  readonly vendor: string;
  readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  /** The Standard JSON Schema extension: the schema as JSON Schema, for a target dialect. */
  readonly jsonSchema?: {
    readonly input: (options: { target: string }) => Record<string, unknown>;
    readonly output: (options: { target: string }) => Record<string, unknown>;
  };
}

/** A Standard Schema (zod 4, valibot ≥ 1, arktype, …). */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaProps<Input, Output>;
}

/** The type a Standard Schema produces after validation. */
export type StandardOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];

/** Whether `value` implements Standard Schema v1 (objects and functions: arktype schemas are callable). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as { '~standard'?: unknown })['~standard'];
  return (
    typeof props === 'object' &&
    props !== null &&
    (props as { version?: unknown }).version === 1 &&
    typeof (props as { validate?: unknown }).validate === 'function'
  );
}

/**
 * The JSON Schema of a Standard Schema, for the wire (tool parameters, `response_format`): the Standard JSON Schema
 * extension (input side, draft-07, else 2020-12), else a `toJSONSchema()` / `toJsonSchema()` method (zod, arktype).
 * Undefined when the schema cannot describe itself (e.g. valibot without `@valibot/to-json-schema`).
 */
export function standardJsonSchema(schema: StandardSchemaV1): Record<string, unknown> | undefined {
  const attempts: (() => unknown)[] = [];
  const ext = schema['~standard'].jsonSchema;
  if (ext && typeof ext.input === 'function') {
    attempts.push(
      () => ext.input({ target: 'draft-07' }),
      () => ext.input({ target: 'draft-2020-12' }),
    );
  }
  for (const method of ['toJSONSchema', 'toJsonSchema']) {
    const fn = (schema as unknown as Record<string, unknown>)[method];
    if (typeof fn === 'function') attempts.push(() => fn.call(schema));
  }
  for (const attempt of attempts) {
    try {
      const out = attempt();
      if (typeof out === 'object' && out !== null && !Array.isArray(out)) {
        const { $schema: _dialect, ...rest } = out as Record<string, unknown>;
        return rest;
      }
    } catch {
      // This dialect or method is not supported by the library: try the next one.
    }
  }
  return undefined;
}
