import { type Command, InvalidArgumentError } from 'commander';
import type { BatchFlags } from '../batch/run-batch.js';
import { parseNonNegative, parsePositive } from '../parse-options.js';
import { rateLimitOptions } from '../support/rate-limit-options.js';

// The definition of `switchyard batch` only: loaded by every `switchyard` run (for the help), so the implementation
// (batch/run-batch.ts, with the SDK and the progress bar) is imported by the action.

function dollars(value: string): number {
  const n = Number(value.trim().replace(/^\$/, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected an amount of USD above 0 such as 0.50, got "${value}"`);
  return n;
}

const EXAMPLES = `
Examples:
  switchyard batch questions.jsonl --out answers.jsonl --model openai/gpt-4o-mini
  switchyard batch in.jsonl --out out.jsonl --concurrency 8 --budget 2.50 --max-tokens 300
  switchyard batch in.jsonl --out out.jsonl --resume      continue after Ctrl-C, a crash or the budget
  switchyard batch in.jsonl --out out.jsonl --resume --retry-failed   send the failed lines again, in place
  switchyard batch in.jsonl --out out.jsonl --rpm 30      at most 30 requests a minute

Input: one JSON object per line (blank lines are skipped; line numbers are counted as in an editor):
  {"id": "q1", "prompt": "What is TCP?"}
  {"id": 2, "prompt": "Translate: bonjour", "system": "Answer in English", "model": "anthropic/claude-3.5-haiku"}
  {"messages": [{"role": "user", "content": "Hi"}], "temperature": 0.2, "max_tokens": 50}
"prompt" or "messages" is required; "id" (string or number), "model" and "system" are optional; any other field
(temperature, max_tokens, response_format, provider, …) is sent as a chat parameter. The line's model wins over
--model; with neither, the configured default model (OPENROUTER_DEFAULT_MODEL) answers.

Output: one JSON object per input line, in input order, whatever order answers arrive in:
  {"line": 1, "id": "q1", "model": "openai/gpt-4o-mini", "text": "…", "finish_reason": "stop",
   "usage": {"prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", "reasoning_tokens"},
   "cost_usd": 0.0000123, "provider": "OpenAI", "generation_id": "gen-…", "latency_ms": 812, "attempts": 1,
   "error": null}
A failed request has "text": null and "error": {"code", "status", "message", "provider"}. A bad line (not JSON, no
prompt, …) is reported on stderr with its line number, written with error code "bad_line", and never stops the batch.

Resuming: answers are saved as they arrive (early ones in <out>.pending until the lines above them are done), so
--resume after Ctrl-C or a crash sends only the lines not answered yet; lines answered with an error are kept,
unless --retry-failed is given: then they are sent again and their new records take their places. --force starts
over.
Rate limits: as in \`switchyard probe\` (free models ≤ --free-rpm a minute; a 429 pauses that model for the
server's Retry-After / X-RateLimit-Reset, then the line is sent again). Retries of 5xx follow OPENROUTER_RETRY_*.
Budgets: --budget caps what this run spends; a line is sent only when its worst case (prompt + max_tokens at the
model's prices) fits what is left, so set --max-tokens for a tight budget; a router (openrouter/auto), a model the
catalog lacks or no model at all is reckoned at the highest prices of the models it may pick; only with no catalog
at all does a line run alone, and only while money is left.
A 402 (no credits, or a gateway key's budget spent) stops the batch. Either way, lines not sent stay for --resume.
Exit codes: 0 every line answered, 1 a line failed or the batch stopped early, 2 wrong usage, 130 interrupted.`;

/** `switchyard batch`: one chat request per line of a JSONL file. */
export function registerBatch(program: Command): void {
  const command = program
    .command('batch')
    .description('send one chat request per line of a JSONL file; answers to a JSONL file in input order')
    .argument('<input>', 'JSONL file with one request per line (- = stdin)')
    .requiredOption('--out <file>', 'JSONL file for the answers')
    .option('--model <id>', 'model for lines that name none')
    .option('--max-tokens <n>', 'max_tokens for lines that set none', parsePositive)
    .option('--concurrency <n>', 'requests at the same time', parsePositive, 4)
    .option('--rpm <n>', 'at most this many requests a minute (0 = no limit)', parseNonNegative, 0);
  rateLimitOptions(command, 'a line fails')
    .option('--budget <usd>', 'spend at most this many USD in this run', dollars)
    .option('--resume', 'continue an interrupted batch: lines already answered are skipped')
    .option('--retry-failed', 'with --resume: send the lines that failed again (failed requests and bad lines)')
    .option('--force', 'overwrite an existing output file')
    .option('-c, --config <file>', 'switchyard.toml to read')
    .addHelpText('after', EXAMPLES)
    .action(async (input: string, flags: BatchFlags) => {
      const { runBatch } = await import('../batch/run-batch.js');
      await runBatch(input, flags);
    });
}
