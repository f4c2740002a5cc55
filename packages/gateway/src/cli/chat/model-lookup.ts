import type { Model, Switchyard } from '@switchyard/sdk';
import { didYouMeanText } from './did-you-mean.js';

/** What a typed model id turned out to be. */
export type ModelLookup =
  /** In the provider's catalog (`model`), or a name from switchyard.toml (`[aliases]`, `[models.<name>]`). */
  | { kind: 'known'; id: string; model?: Model }
  /** Not in the catalog; `hint` is ` Did you mean …?` or empty. */
  | { kind: 'unknown'; id: string; hint: string; catalogSize: number }
  /** The catalog could not be read (offline, server down): the id goes to the server unchecked. */
  | { kind: 'unchecked'; id: string; reason: string };

const VARIANT = /:[a-z0-9-]+$/;

/** Finds `id` in a model list: exact, else its base row (`openai/gpt-4o:nitro` → `openai/gpt-4o`). */
export function findModel(models: readonly Model[], id: string): Model | undefined {
  return models.find((m) => m.id === id) ?? models.find((m) => m.id === id.replace(VARIANT, ''));
}

/** Checks an id against an already loaded model list (synchronous, for prompt validation). */
export function checkAgainst(models: readonly Model[], id: string, configNames: readonly string[] = []): ModelLookup {
  if (configNames.includes(id)) return { kind: 'known', id };
  const model = findModel(models, id);
  if (model) return { kind: 'known', id, model };
  const ids = models.map((m) => m.id);
  return { kind: 'unknown', id, hint: didYouMeanText(id, [...ids, ...configNames]), catalogSize: ids.length };
}

/** Names switchyard.toml defines for models (`[aliases]`, `[models.<name>]`): valid ids for the SDK. */
export function configModelNames(sy: Switchyard): string[] {
  return [...Object.keys(sy.config.aliases), ...Object.keys(sy.config.models)];
}

/** Checks `id` against the client's catalog (cached on disk and in memory by the SDK). */
export async function lookupModel(sy: Switchyard, id: string): Promise<ModelLookup> {
  const names = configModelNames(sy);
  if (names.includes(id)) return { kind: 'known', id };
  let models: Model[];
  try {
    models = await sy.models.list();
  } catch (error) {
    return { kind: 'unchecked', id, reason: error instanceof Error ? error.message : String(error) };
  }
  return checkAgainst(models, id, names);
}

/** `Unknown model "x" (not among the 110 models of simulator). Did you mean …?` */
export function unknownModelMessage(lookup: Extract<ModelLookup, { kind: 'unknown' }>, provider: string): string {
  return `Unknown model "${lookup.id}": not among the ${lookup.catalogSize} models of ${provider}.${lookup.hint}`;
}
