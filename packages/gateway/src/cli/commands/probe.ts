import type { Command } from 'commander';
import { modelList, parsePositive } from '../parse-options.js';
import { parseDuration } from '../probe/duration.js';
import type { ProbeFlags } from '../probe/run-probe.js';
import { rateLimitOptions } from '../support/rate-limit-options.js';

// The definition of `switchyard probe` only: loaded by every `switchyard` run (for the help), so the implementation
// (probe/run-probe.ts, with the SDK and the progress bar) is imported by the action.

const EXAMPLES = `
Examples:
  switchyard probe --free                              every free model, 20 requests a minute at most
  switchyard probe --all --concurrency 8 --out all.json
  switchyard probe --models openai/gpt-4o-mini,anthropic/claude-3.5-haiku --prompt "Say hi"
  switchyard probe --match 'llama|mistral' --delay 3m  one test every 3 minutes, as the requirement docs did
  switchyard probe --all --resume                      continue after a crash or Ctrl-C; tested models are skipped
  switchyard probe --all --resume --retry-failed       test again only the models that failed

Each model gets one streamed chat request. Recorded per model: success, latency, time to first token, tokens,
cost, served model and provider, attempts, rate-limit waits, the start of the answer, and the error with a reason.
The results file (--out) is rewritten after every model, so a crash or Ctrl-C loses nothing that was tested.
--all and --free test the catalog's chat (text-output) models; embedding models are left out.

Rate limits: free models share OpenRouter's free tier (20 requests a minute per key): at most --free-rpm of them
start in any minute. A 429 pauses that model (all free models for a free-tier 429) for the time the server gives
(Retry-After, X-RateLimit-Reset), then the model is asked again, up to 5 times; a wait longer than --max-wait
(e.g. a daily limit) records the model as rate limited instead. --delay adds your own pause between tests.

Ctrl-C: the first stops starting tests and lets those in flight finish (exit 130); a second aborts them.
Exit codes: 0 every model answered, 1 at least one failed, 2 wrong usage, 130 interrupted.`;

/** `switchyard probe`: the requirement docs' "test every model" run. */
export function registerProbe(program: Command): void {
  const command = program
    .command('probe')
    .description('test models with a short prompt: success, latency, time to first token, tokens, cost, errors')
    .option('--all', 'every chat model of the catalog')
    .option('--free', 'only free models (with --match: the free ones that match)')
    .option('--models <ids>', 'comma-separated model ids', modelList)
    .option('--match <regex>', 'models whose id or name matches (case-insensitive)')
    .option('--prompt <text>', 'what to ask each model', 'Hello, world!')
    .option('--max-tokens <n>', 'longest answer per model', parsePositive, 100)
    .option('--delay <duration>', 'pause between the starts of two tests (500ms, 20s, 3m)', parseDuration, 0)
    .option('--concurrency <n>', 'tests at the same time', parsePositive, 4);
  rateLimitOptions(command, 'recording a failure')
    .option('--out <file>', 'JSON results, written after every model', 'probe-results.json')
    .option('--log <file>', 'log file', 'probe.log')
    .option('--no-log', 'write no log file')
    .option('--resume', 'continue the results file: skip models it already holds')
    .option('--retry-failed', 'with --resume: test again the models that failed')
    .option('--force', 'overwrite an existing results file')
    .option('--json', 'print the results document as JSON instead of the summary')
    .option('-c, --config <file>', 'switchyard.toml to read')
    .addHelpText('after', EXAMPLES)
    .action(async (flags: ProbeFlags) => {
      const { runProbe } = await import('../probe/run-probe.js');
      await runProbe(flags);
    });
}
