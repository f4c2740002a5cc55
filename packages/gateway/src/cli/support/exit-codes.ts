// No imports on purpose: every command definition (and main.ts) loads this module, so it must not pull in the SDK.
// Turning an arbitrary error into an exit code and a message, which needs the SDK's error classes, is in
// error-report.ts and is loaded only when a command fails.

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
