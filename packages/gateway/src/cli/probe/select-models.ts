import { InvalidModelError, type Model, pricesOf, type Switchyard } from '@switchyard/sdk';
import { UsageError } from '../support/exit-codes.js';

/** A model to test, with what pacing needs to know about it. */
export interface ProbeTarget {
  model: string;
  name: string | null;
  /** Free models share OpenRouter's free-tier limit (20 requests a minute per key). */
  free: boolean;
}

export interface SelectionFlags {
  all?: boolean;
  free?: boolean;
  models?: string[];
  match?: RegExp;
}

/** Whether a model counts against the free tier: a `:free` variant, or a row whose prices are all zero. */
export function isFreeModel(id: string, row: Model | undefined): boolean {
  return id.endsWith(':free') || (row !== undefined && pricesOf(row).free);
}

/**
 * The models a probe tests, in catalog (popularity) order: `--models` as given (each must exist), else the chat
 * models of the catalog (`--all`), only the free ones (`--free`), narrowed by `--match` on id or name.
 */
export async function selectTargets(sy: Switchyard, flags: SelectionFlags): Promise<ProbeTarget[]> {
  if (flags.models) {
    const targets: ProbeTarget[] = [];
    const unknown: string[] = [];
    for (const id of flags.models) {
      try {
        const row = await sy.models.get(id);
        targets.push({ model: id, name: row.name ?? null, free: isFreeModel(id, row) });
      } catch (error) {
        if (!(error instanceof InvalidModelError)) throw error;
        unknown.push(id);
      }
    }
    if (unknown.length > 0) {
      throw new UsageError(
        `unknown model${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (find ids with \`switchyard models <words>\`)`,
      );
    }
    return targets;
  }
  const rows = await sy.models.search(flags.free ? { free: true } : {});
  return rows
    .filter((row) => !flags.match || flags.match.test(row.id) || flags.match.test(row.name ?? ''))
    .map((row) => ({ model: row.id, name: row.name ?? null, free: isFreeModel(row.id, row) }));
}
