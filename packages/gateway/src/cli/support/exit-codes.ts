import { SwitchyardError } from '@switchyard/sdk';
import { CommanderError, InvalidArgumentError } from 'commander';

/** Documented exit codes of every command: 0 ok, 1 the work failed, 2 the command was used wrongly. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A user mistake (bad flag value, missing file, unknown model): one line, exit 2, never a stack trace. */
export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
}

/** The work itself failed (some probes failed, doctor found a problem): exit 1 after the output was printed. */
export class FailureExit extends Error {
  readonly exitCode = EXIT.failure;
}

const USAGE_CODES = new Set([
  'invalid_config',
  'invalid_request',
  'invalid_model',
  'missing_api_key',
  'authentication_failed',
]);

/** The exit code an error ends the process with. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof UsageError || error instanceof InvalidArgumentError) return EXIT.usage;
  if (error instanceof FailureExit) return EXIT.failure;
  if (error instanceof SwitchyardError && USAGE_CODES.has(error.code)) return EXIT.usage;
  return EXIT.failure;
}

/** One clear line for the error (`--verbose` adds the code, cause and stack). */
export function describeError(error: unknown, verbose: boolean): string {
  if (!(error instanceof Error)) return `switchyard: ${String(error)}`;
  const code = error instanceof SwitchyardError ? ` [${error.code}]` : '';
  let line = `switchyard: ${error.message}${verbose ? code : ''}`;
  if (verbose) {
    if (error.cause instanceof Error) line += `\n  caused by: ${error.cause.message}`;
    if (error.stack) line += `\n${error.stack.split('\n').slice(1).join('\n')}`;
  }
  return line;
}
