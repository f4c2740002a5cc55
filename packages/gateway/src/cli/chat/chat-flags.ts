import type { Model, Switchyard } from '@switchyard/sdk';
import { UsageError } from '../support/exit-codes.js';
import type { Output } from '../support/output.js';
import { lookupModel, unknownModelMessage } from './model-lookup.js';

/** The options of `switchyard chat` (besides `--config`). */
export interface ChatFlags {
  model?: string;
  system?: string;
  provider?: string;
  json?: boolean;
  /** `--no-stream` sets it false. */
  stream: boolean;
  verbose: boolean;
}

/**
 * `--model`, checked against the provider's catalog before anything is sent: an unknown id is a usage error (exit
 * 2) with "did you mean" suggestions; when the catalog cannot be read the id is used as given, with a warning.
 */
export async function resolveStartModel(
  sy: Switchyard,
  id: string,
  output: Output,
): Promise<{ id: string; model?: Model }> {
  const lookup = await lookupModel(sy, id);
  if (lookup.kind === 'unknown') throw new UsageError(unknownModelMessage(lookup, sy.providerName));
  if (lookup.kind === 'unchecked')
    output.err(
      output.yellow(`Could not check --model ${id} against the catalog (${lookup.reason}); sending it as is.`),
    );
  return { id, model: lookup.kind === 'known' ? lookup.model : undefined };
}

/** Ends a message with a full stop unless it has one. */
export function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
