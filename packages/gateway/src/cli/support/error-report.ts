import { SwitchyardError } from '@switchyard/sdk';
import { CommanderError, InvalidArgumentError } from 'commander';
import { EXIT, FailureExit, UsageError } from './exit-codes.js';

// Loaded by main.ts only when a command failed (it needs the SDK's error classes, which start-up must not load).

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
