import { resolve } from 'node:path';
import { type ChatResult, InsufficientCreditsError, type Model } from '@switchyard/sdk';
import { worstCaseOn } from '../../accounting/worst-case.js';
import { Interrupted } from '../probe/abortable-sleep.js';
import { formatDuration } from '../probe/duration.js';
import { failureReason } from '../probe/failure.js';
import { EXIT_INTERRUPTED, Interrupt, runPool } from '../probe/interrupt.js';
import { type PacedOutcome, pacedCall } from '../probe/paced-call.js';
import { createProgress } from '../probe/progress.js';
import { retryOnExceptRateLimits } from '../probe/rate-limit.js';
import { RatePacer } from '../probe/rate-pacer.js';
import { isFreeModel } from '../probe/select-models.js';
import { FailureExit, UsageError } from '../support/exit-codes.js';
import { createOutput, usd } from '../support/output.js';
import { openCliClient } from '../support/sdk-client.js';
import { badLineRecord, failureLineRecord, successRecord } from './batch-record.js';
import { BudgetGate } from './budget-gate.js';
import { formatBatchSummary, totalsOf } from './cost-summary.js';
import { readJsonl } from './jsonl-reader.js';
import { OrderedWriter } from './ordered-writer.js';
import { hasOutput, readPrevious, removeOutput, rewriteOutput, withoutFailed } from './output-file.js';
import { type BatchRequest, type ParsedLine, parseRequestLine } from './request-line.js';

// The implementation of `switchyard batch` (commands/batch.ts defines the command): the SDK client, the progress
// bar and the pacing load from here, only when a batch runs.

export interface BatchFlags {
  out: string;
  model?: string;
  maxTokens?: number;
  concurrency: number;
  rpm: number;
  freeRpm: number;
  maxWait: number;
  budget?: number;
  resume?: boolean;
  retryFailed?: boolean;
  force?: boolean;
  config?: string;
}

const lineOf = (p: ParsedLine) => (p.ok ? p.request.line : p.line);
const idOf = (p: ParsedLine) => (p.ok ? p.request.id : p.id);

/** Send every line not answered yet, write the answers in input order, print the cost summary. */
export async function runBatch(input: string, flags: BatchFlags): Promise<void> {
  const started = Date.now();
  if (input !== '-' && resolve(input) === resolve(flags.out)) throw new UsageError('--out must not be the input file');
  const output = createOutput();
  const inputs = await readJsonl(input);
  if (inputs.length === 0) throw new UsageError(`${input} has no lines to send`);
  const parsed = inputs.map((line) => parseRequestLine(line, { model: flags.model, maxTokens: flags.maxTokens }));

  if (flags.retryFailed && !flags.resume) throw new UsageError('--retry-failed needs --resume');
  let previous = readPreviousIfResuming(flags);
  let retried = 0;
  if (flags.retryFailed) ({ previous, dropped: retried } = withoutFailed(previous));
  const byLine = new Map(parsed.map((p) => [lineOf(p), p]));
  checkPrevious(previous, byLine, parsed, input, flags.out);
  // Only once the earlier output is known to belong to this input are its failed lines taken out of it.
  if (retried > 0) rewriteOutput(flags.out, previous);
  const lastWritten = previous.written.at(-1)?.line ?? 0;
  const order = parsed.map(lineOf).filter((line) => line > lastWritten);
  const todo = parsed.filter((p) => lineOf(p) > lastWritten && !previous.pending.has(lineOf(p)));
  const carriedCount = previous.written.length + previous.pending.size;
  if (flags.resume && carriedCount > 0)
    output.err(
      `resuming ${flags.out}: ${carriedCount} of ${parsed.length} lines done, ${todo.length} to go` +
        (flags.retryFailed ? ` (${retried} failed ${retried === 1 ? 'line' : 'lines'} sent again)` : ''),
    );

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
    let badLines = 0;
    let sent = 0;
    let runCost = 0;
    const update = (status?: string) => progress.update({ done, ok, failed, bad: badLines, costUsd: runCost, status });

    for (const p of todo) {
      if (p.ok) continue;
      const record = badLineRecord(p.line, p.id, p.model, p.message);
      writer.add(record);
      records.push(record);
      done++;
      badLines++;
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
        // A line without a model goes to the configured default model: price it at that one. A router or a model
        // the catalog lacks is priced at the catalog's ceiling, as the gateway reserves it; only with no catalog at
        // all is its worst case unknown (the gate then runs it alone).
        const model = request.model ?? sy.config.defaultModel;
        const priced = request.model ? row : model ? await rowOf(model) : undefined;
        const listing = () => {
          const listed = sy.models.peekList();
          return listed && 'value' in listed ? listed.value : undefined;
        };
        const reckoned = worstCaseOn(request.params as Record<string, unknown>, model, priced, listing);
        const worst = reckoned.pricesUnknown ? undefined : reckoned.usd;
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
    // A bad line's id could not be read (it may have been fixed since): only its line number is checked.
    if (record.error?.code !== 'bad_line' && (record.id ?? null) !== idOf(line))
      throw mismatch(
        `line ${record.line} has id ${JSON.stringify(idOf(line))}, the answer ${JSON.stringify(record.id)}`,
      );
  }
  const lastWritten = previous.written.at(-1)?.line ?? 0;
  const written = new Set(previous.written.map((r) => r.line));
  const gap = parsed.find((p) => lineOf(p) <= lastWritten && !written.has(lineOf(p)));
  if (gap) throw mismatch(`line ${lineOf(gap)} has no answer although later lines do`);
}
