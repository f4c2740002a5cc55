import { resolve } from 'node:path';
import { type ChatResult, InsufficientCreditsError, type Model } from '@switchyard/sdk';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { badLineRecord, failureLineRecord, successRecord } from '../batch/batch-record.js';
import { BudgetGate, worstCaseUsd } from '../batch/budget-gate.js';
import { formatBatchSummary, totalsOf } from '../batch/cost-summary.js';
import { readJsonl } from '../batch/jsonl-reader.js';
import { OrderedWriter } from '../batch/ordered-writer.js';
import { hasOutput, readPrevious, removeOutput } from '../batch/output-file.js';
import { type BatchRequest, type ParsedLine, parseRequestLine } from '../batch/request-line.js';
import { parseInteger } from '../parse-options.js';
import { Interrupted } from '../probe/abortable-sleep.js';
import { formatDuration, parseDuration } from '../probe/duration.js';
import { failureReason } from '../probe/failure.js';
import { EXIT_INTERRUPTED, Interrupt, runPool } from '../probe/interrupt.js';
import { type PacedOutcome, pacedCall } from '../probe/paced-call.js';
import { createProgress } from '../probe/progress.js';
import { retryOnExceptRateLimits } from '../probe/rate-limit.js';
import { FREE_MODELS_PER_MINUTE, RatePacer } from '../probe/rate-pacer.js';
import { isFreeModel } from '../probe/select-models.js';
import { FailureExit, UsageError } from '../support/exit-codes.js';
import { createOutput, usd } from '../support/output.js';
import { openCliClient } from '../support/sdk-client.js';

interface BatchFlags {
  out: string;
  model?: string;
  maxTokens?: number;
  concurrency: number;
  rpm: number;
  freeRpm: number;
  maxWait: number;
  budget?: number;
  resume?: boolean;
  force?: boolean;
  config?: string;
}

function positive(value: string): number {
  const n = parseInteger(value);
  if (n < 1) throw new InvalidArgumentError(`expected a positive integer, got ${n}`);
  return n;
}

function nonNegative(value: string): number {
  const n = parseInteger(value);
  if (n < 0) throw new InvalidArgumentError(`expected an integer ≥ 0, got ${n}`);
  return n;
}

function dollars(value: string): number {
  const n = Number(value.trim().replace(/^\$/, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected an amount of USD above 0 such as 0.50, got "${value}"`);
  return n;
}

const lineOf = (p: ParsedLine) => (p.ok ? p.request.line : p.line);
const idOf = (p: ParsedLine) => (p.ok ? p.request.id : p.id);

const EXAMPLES = `
Examples:
  switchyard batch questions.jsonl --out answers.jsonl --model openai/gpt-4o-mini
  switchyard batch in.jsonl --out out.jsonl --concurrency 8 --budget 2.50 --max-tokens 300
  switchyard batch in.jsonl --out out.jsonl --resume      continue after Ctrl-C, a crash or the budget
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
--resume after Ctrl-C or a crash sends only the lines not answered yet; --force starts over.
Rate limits: as in \`switchyard probe\` (free models ≤ --free-rpm a minute; a 429 pauses that model for the
server's Retry-After / X-RateLimit-Reset, then the line is sent again). Retries of 5xx follow OPENROUTER_RETRY_*.
Budgets: --budget caps what this run spends; a line is sent only when its worst case (prompt + max_tokens at the
model's prices) fits what is left, so set --max-tokens for a tight budget; a line whose price is not known in
advance (a variable-price router, no model named and no default) runs alone, and only while money is left.
A 402 (no credits, or a gateway key's budget spent) stops the batch. Either way, lines not sent stay for --resume.
Exit codes: 0 every line answered, 1 a line failed or the batch stopped early, 2 wrong usage, 130 interrupted.`;

/** `switchyard batch`: one chat request per line of a JSONL file. */
export function registerBatch(program: Command): void {
  program
    .command('batch')
    .description('send one chat request per line of a JSONL file; answers to a JSONL file in input order')
    .argument('<input>', 'JSONL file with one request per line (- = stdin)')
    .requiredOption('--out <file>', 'JSONL file for the answers')
    .option('--model <id>', 'model for lines that name none')
    .option('--max-tokens <n>', 'max_tokens for lines that set none', positive)
    .option('--concurrency <n>', 'requests at the same time', positive, 4)
    .option('--rpm <n>', 'at most this many requests a minute (0 = no limit)', nonNegative, 0)
    .option(
      '--free-rpm <n>',
      `free-model requests per minute (OpenRouter's free tier: ${FREE_MODELS_PER_MINUTE}; 0 = no limit)`,
      nonNegative,
      FREE_MODELS_PER_MINUTE,
    )
    // The default's description is given: commander would print the parsed 120000, which reads as seconds here.
    .addOption(
      new Option('--max-wait <duration>', 'longest wait for a rate limit before a line fails')
        .argParser(parseDuration)
        .default(120_000, '2m'),
    )
    .option('--budget <usd>', 'spend at most this many USD in this run', dollars)
    .option('--resume', 'continue an interrupted batch: lines already answered are skipped')
    .option('--force', 'overwrite an existing output file')
    .option('-c, --config <file>', 'switchyard.toml to read')
    .addHelpText('after', EXAMPLES)
    .action(async (input: string, flags: BatchFlags) => runBatch(input, flags));
}

async function runBatch(input: string, flags: BatchFlags): Promise<void> {
  const started = Date.now();
  if (input !== '-' && resolve(input) === resolve(flags.out)) throw new UsageError('--out must not be the input file');
  const output = createOutput();
  const inputs = await readJsonl(input);
  if (inputs.length === 0) throw new UsageError(`${input} has no lines to send`);
  const parsed = inputs.map((line) => parseRequestLine(line, { model: flags.model, maxTokens: flags.maxTokens }));

  let previous = readPreviousIfResuming(flags);
  const byLine = new Map(parsed.map((p) => [lineOf(p), p]));
  checkPrevious(previous, byLine, parsed, input, flags.out);
  const lastWritten = previous.written.at(-1)?.line ?? 0;
  const order = parsed.map(lineOf).filter((line) => line > lastWritten);
  const todo = parsed.filter((p) => lineOf(p) > lastWritten && !previous.pending.has(lineOf(p)));
  const carriedCount = previous.written.length + previous.pending.size;
  if (flags.resume && carriedCount > 0)
    output.err(`resuming ${flags.out}: ${carriedCount} of ${parsed.length} lines done, ${todo.length} to go`);

  const client = await openCliClient({ config: flags.config }, output, { retryOn: retryOnExceptRateLimits });
  try {
    const sy = client.sy;
    const writer = new OrderedWriter(flags.out, order, previous.pending);
    const records = [...previous.written, ...previous.pending.values()];
    previous = { written: [], pending: new Map() };
    const progress = createProgress(output, { total: todo.length, unit: 'lines', plainEveryMs: 5000, money: usd });
    let done = 0;
    let ok = 0;
    let failed = 0;
    let sent = 0;
    let runCost = 0;
    const update = (status?: string) => progress.update({ done, ok, failed, costUsd: runCost, status });

    for (const p of todo) {
      if (p.ok) continue;
      const record = badLineRecord(p.line, p.id, p.model, p.message);
      writer.add(record);
      records.push(record);
      done++;
      failed++;
      progress.log(output.yellow(`line ${p.line}: ${p.message} (skipped)`));
    }
    update();

    const halt = new AbortController();
    let haltReason: string | undefined;
    const haltWith = (reason: string) => {
      if (halt.signal.aborted) return;
      haltReason = reason;
      halt.abort();
      progress.log(output.yellow(`stopping: ${reason}; requests in flight will finish`));
    };
    const interrupt = new Interrupt(() => {
      haltReason = 'interrupted';
      halt.abort();
      progress.log(
        output.yellow('stopping: no new requests; those in flight will finish (Ctrl-C again to abort them)'),
      );
    });
    const pacer = new RatePacer({
      intervalMs: flags.rpm > 0 ? Math.ceil(60_000 / flags.rpm) : 0,
      freePerWindow: flags.freeRpm,
      onWait: (ms, reason, model) => {
        if (reason === 'free-tier')
          progress.log(
            output.yellow(
              `waiting ${formatDuration(ms)} before ${model}: free models are limited to ${flags.freeRpm}/min`,
            ),
          );
        else if (reason === 'delay') update(`pacing: ${flags.rpm} requests/min`);
      },
    });
    const gate = flags.budget !== undefined ? new BudgetGate(flags.budget) : undefined;
    const rows = new Map<string, Promise<Model | undefined>>();
    const rowOf = (model: string) => {
      let row = rows.get(model);
      if (!row) {
        row = sy.models.get(model).catch(() => undefined);
        rows.set(model, row);
      }
      return row;
    };

    const send = async (request: BatchRequest) => {
      const row = request.model ? await rowOf(request.model) : undefined;
      let reserved = 0;
      if (gate) {
        // A line without a model goes to the configured default model: price it at that one.
        const priced = request.model ? row : sy.config.defaultModel ? await rowOf(sy.config.defaultModel) : undefined;
        const worst = priced ? worstCaseUsd(priced, request.params) : undefined;
        const held = await gate.reserve(worst);
        if (held === undefined) {
          const cost = worst === undefined ? 'has no price known in advance' : `could cost up to ${usd(worst)}`;
          haltWith(
            `budget reached: ${usd(gate.spent)} of ${usd(gate.limitUsd)} spent, and line ${request.line} ${cost}`,
          );
          return;
        }
        reserved = held;
        if (halt.signal.aborted) {
          gate.settle(reserved, 0);
          return;
        }
      }
      let outcome: PacedOutcome<ChatResult>;
      try {
        outcome = await pacedCall({
          target: {
            model: request.model ?? '(default model)',
            free: request.model ? isFreeModel(request.model, row) : false,
          },
          pacer,
          maxWaitMs: flags.maxWait,
          stop: halt.signal,
          abort: interrupt.abort.signal,
          onRateLimit: (wait, error, waits) =>
            progress.log(
              output.yellow(
                `line ${request.line}: rate limited on ${request.model ?? 'the default model'} (${error.message.trim()}); waiting ${formatDuration(wait.ms)} (${wait.source}), then sending it again (${waits}/5)`,
              ),
            ),
          call: (signal) => sy.chat(request.params, { signal }),
        });
      } catch (error) {
        gate?.settle(reserved, 0);
        if (error instanceof Interrupted) return;
        throw error;
      }
      if (outcome.ok || outcome.sent) sent++;
      const record = outcome.ok
        ? successRecord(request.line, request.id, outcome.value)
        : failureLineRecord(
            request.line,
            request.id,
            request.model ?? null,
            outcome.error,
            outcome.reason,
            outcome.sent,
          );
      gate?.settle(reserved, record.cost_usd);
      runCost += record.cost_usd;
      if (!outcome.ok && outcome.error instanceof InsufficientCreditsError) {
        // Every later line would fail the same way: stop, and keep this line for --resume.
        haltWith(`out of credits or budget (402) at line ${request.line}: ${record.error?.message ?? ''}`);
        return;
      }
      writer.add(record);
      records.push(record);
      done++;
      if (record.error) {
        failed++;
        progress.log(
          output.red(
            `line ${request.line}${request.id !== null ? ` (id ${request.id})` : ''}: ${failureReason(record.error)}`,
          ),
        );
      } else ok++;
      update();
    };

    const requests = todo.flatMap((p) => (p.ok ? [p.request] : []));
    try {
      await runPool(requests, flags.concurrency, halt.signal, send);
    } finally {
      progress.stop();
      interrupt.dispose();
      writer.close();
    }

    const notRun = parsed.length - records.length;
    const totals = totalsOf(records);
    output.out(
      formatBatchSummary(
        totals,
        { out: flags.out, durationMs: Date.now() - started, requests: sent, runCostUsd: runCost, notRun },
        output,
      ),
    );
    if (haltReason === 'interrupted') {
      output.err(output.yellow(`interrupted: ${notRun} lines not run; run again with --resume to continue`));
      process.exitCode = EXIT_INTERRUPTED;
      return;
    }
    if (haltReason) throw new FailureExit(`stopped: ${haltReason}; ${notRun} lines not run (continue with --resume)`);
    const bad = totals.failed + totals.badLines;
    if (bad > 0) throw new FailureExit(`${bad} of ${totals.lines} lines failed (their "error" is in ${flags.out})`);
  } finally {
    await client.close();
  }
}

function readPreviousIfResuming(flags: BatchFlags) {
  if (flags.resume) return readPrevious(flags.out);
  if (hasOutput(flags.out)) {
    if (!flags.force)
      throw new UsageError(`${flags.out} already exists: pass --resume to continue it or --force to overwrite it`);
    removeOutput(flags.out);
  }
  return { written: [], pending: new Map() } as ReturnType<typeof readPrevious>;
}

/** The output of an earlier run must belong to this input: same lines, same ids, nothing missing in between. */
function checkPrevious(
  previous: ReturnType<typeof readPrevious>,
  byLine: Map<number, ParsedLine>,
  parsed: ParsedLine[],
  input: string,
  out: string,
): void {
  const mismatch = (why: string) =>
    new UsageError(`${out} does not belong to ${input} (${why}): use another --out, or --force to start over`);
  for (const record of [...previous.written, ...previous.pending.values()]) {
    const line = byLine.get(record.line);
    if (!line) throw mismatch(`it answers line ${record.line}, which is blank or missing`);
    if ((record.id ?? null) !== idOf(line))
      throw mismatch(
        `line ${record.line} has id ${JSON.stringify(idOf(line))}, the answer ${JSON.stringify(record.id)}`,
      );
  }
  const lastWritten = previous.written.at(-1)?.line ?? 0;
  const written = new Set(previous.written.map((r) => r.line));
  const gap = parsed.find((p) => lineOf(p) <= lastWritten && !written.has(lineOf(p)));
  if (gap) throw mismatch(`line ${lineOf(gap)} has no answer although later lines do`);
}
