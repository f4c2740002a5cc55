import { FailureExit, UsageError } from '../support/exit-codes.js';
import { createOutput, type Output, usd } from '../support/output.js';
import { openCliClient } from '../support/sdk-client.js';
import { Interrupted } from './abortable-sleep.js';
import { formatDuration } from './duration.js';
import { EXIT_INTERRUPTED, Interrupt, runPool } from './interrupt.js';
import { probeModel } from './probe-model.js';
import type { ProbeResult } from './probe-result.js';
import { createProgress } from './progress.js';
import { retryOnExceptRateLimits } from './rate-limit.js';
import { RatePacer } from './rate-pacer.js';
import { ResultsFile } from './results-file.js';
import { RunLog } from './run-log.js';
import { selectTargets } from './select-models.js';
import { formatSummary } from './summary.js';

// The implementation of `switchyard probe` (commands/probe.ts defines the command): the SDK client, the progress bar
// and the pacing load from here, only when a probe runs.

export interface ProbeFlags {
  all?: boolean;
  free?: boolean;
  models?: string[];
  match?: string;
  prompt: string;
  maxTokens: number;
  delay: number;
  concurrency: number;
  freeRpm: number;
  maxWait: number;
  out: string;
  log: string | false;
  resume?: boolean;
  retryFailed?: boolean;
  force?: boolean;
  json?: boolean;
  config?: string;
}

function checkFlags(flags: ProbeFlags): RegExp | undefined {
  if (flags.models && (flags.all || flags.free || flags.match))
    throw new UsageError('--models names the models itself: leave out --all, --free and --match');
  if (!flags.models && !flags.all && !flags.free && flags.match === undefined)
    throw new UsageError('say which models to probe: --all, --free, --models a,b or --match REGEX');
  if (flags.models?.length === 0) throw new UsageError('--models needs at least one model id');
  if (flags.retryFailed && !flags.resume) throw new UsageError('--retry-failed works with --resume');
  if (flags.prompt.trim() === '') throw new UsageError('--prompt must not be empty');
  if (flags.match === undefined) return undefined;
  try {
    return new RegExp(flags.match, 'i');
  } catch (error) {
    throw new UsageError(`--match: ${(error as Error).message}`);
  }
}

function resultLine(r: ProbeResult, index: number, total: number, idWidth: number, output: Output): string {
  const n = `[${String(index).padStart(String(total).length)}/${total}]`;
  const id = r.model.padEnd(idWidth);
  if (!r.success) return `${n} ${output.red('FAILED')} ${id}  ${r.reason ?? ''}`;
  const parts = [
    `${r.latency_ms} ms`,
    r.ttft_ms !== null ? `ttft ${r.ttft_ms} ms` : undefined,
    r.tokens ? `${r.tokens.total} tok` : undefined,
    usd(r.cost_usd),
    r.rate_limit_waits > 0 ? `after ${r.rate_limit_waits} rate-limit wait(s)` : undefined,
  ].filter(Boolean);
  return `${n} ${output.green('ok')}     ${id}  ${parts.join('  ')}`;
}

/** Probe the selected models, write the results file and the log, print the summary. */
export async function runProbe(flags: ProbeFlags): Promise<void> {
  const match = checkFlags(flags);
  const output = createOutput();
  const client = await openCliClient({ config: flags.config }, output, {
    fallbackModels: [],
    retryOn: retryOnExceptRateLimits,
  });
  try {
    const targets = await selectTargets(client.sy, { ...flags, match });
    if (targets.length === 0) throw new UsageError('no models to probe: nothing in the catalog matches');
    const results = ResultsFile.open(
      flags.out,
      { backend: client.sy.providerName, prompt: flags.prompt, maxTokens: flags.maxTokens },
      { resume: flags.resume === true, force: flags.force === true },
    );
    const plan = targets.filter((t) => {
      const previous = results.has(t.model);
      return !previous || (flags.retryFailed === true && !previous.success);
    });
    const log = new RunLog(flags.log === false ? undefined : flags.log, flags.resume === true);
    log.info(
      `probe of ${plan.length} models on ${client.sy.providerName} (prompt ${JSON.stringify(flags.prompt)}, max_tokens ${flags.maxTokens}, concurrency ${flags.concurrency}, delay ${formatDuration(flags.delay)}, free-rpm ${flags.freeRpm})`,
    );
    if (targets.length > plan.length) {
      const note = `resuming ${flags.out}: ${targets.length - plan.length} of ${targets.length} models already tested, ${plan.length} to go`;
      output.err(note);
      log.info(note);
    }
    results.save();

    const idWidth = Math.min(48, Math.max(0, ...plan.map((t) => t.model.length)));
    const progress = createProgress(output, { total: plan.length, unit: 'models', plainEveryMs: 0, money: usd });
    let done = 0;
    let ok = 0;
    let failed = 0;
    let cost = 0;
    const inFlight = new Set<string>();
    const status = (extra?: string) =>
      progress.update({
        done,
        ok,
        failed,
        costUsd: cost,
        status: extra ?? [...inFlight].join(', '),
      });
    const pacer = new RatePacer({
      intervalMs: flags.delay,
      freePerWindow: flags.freeRpm,
      onWait: (ms, reason, model) => {
        if (reason === 'delay') {
          status(`next test in ${formatDuration(ms)} (--delay)`);
          return;
        }
        const line =
          reason === 'free-tier'
            ? `waiting ${formatDuration(ms)} before ${model}: free models are limited to ${flags.freeRpm} requests a minute`
            : `waiting ${formatDuration(ms)} before ${model}: rate limited`;
        progress.log(output.yellow(line));
        log.info(line);
      },
    });
    const interrupt = new Interrupt(() => {
      const line = `stopping: no new tests; ${inFlight.size} in flight will finish (Ctrl-C again to abort them)`;
      progress.log(output.yellow(line));
      log.warn(line);
    });
    status();
    try {
      await runPool(plan, flags.concurrency, interrupt.stop.signal, async (target) => {
        let result: ProbeResult;
        try {
          inFlight.add(target.model);
          status();
          result = await probeModel(
            client.sy,
            target,
            { prompt: flags.prompt, maxTokens: flags.maxTokens },
            {
              pacer,
              maxWaitMs: flags.maxWait,
              stop: interrupt.stop.signal,
              abort: interrupt.abort.signal,
              onRateLimit: (wait, error, waits) => {
                const line = `rate limited on ${target.model} (${error.message.trim()}): waiting ${formatDuration(wait.ms)} (${wait.source}), then asking again (${waits}/5)`;
                progress.log(output.yellow(line));
                log.warn(line);
              },
            },
          );
        } catch (error) {
          if (error instanceof Interrupted) return;
          throw error;
        } finally {
          inFlight.delete(target.model);
        }
        results.add(result);
        done++;
        if (result.success) ok++;
        else failed++;
        cost += result.cost_usd;
        progress.log(resultLine(result, done, plan.length, idWidth, output));
        if (result.success)
          log.info(
            `ok ${result.model} latency ${result.latency_ms} ms ttft ${result.ttft_ms ?? '-'} ms tokens ${result.tokens?.total ?? 0} cost $${result.cost_usd} provider ${result.provider ?? '-'} attempts ${result.attempts}`,
          );
        else log.error(`failed ${result.model}: ${result.reason}`);
        status();
      });
    } finally {
      progress.stop();
      interrupt.dispose();
    }
    results.save();

    const document = results.document();
    if (flags.json) output.json(document);
    else output.out(formatSummary(document.summary, output));
    const where = `results: ${flags.out}${flags.log === false ? '' : `, log: ${flags.log}`}`;
    output.err(output.dim(where));
    log.info(
      `summary: ${document.summary.models_tested} tested, ${document.summary.succeeded} succeeded, ${document.summary.failed} failed, ${document.summary.success_rate}%`,
    );
    if (interrupt.stopped) {
      const left = plan.length - done;
      const line = `interrupted: ${left} model${left === 1 ? '' : 's'} not tested; run again with --resume to continue`;
      output.err(output.yellow(line));
      log.warn(line);
      process.exitCode = EXIT_INTERRUPTED;
      return;
    }
    if (document.summary.failed > 0)
      throw new FailureExit(
        `${document.summary.failed} of ${document.summary.models_tested} models failed (reasons above and in ${flags.out})`,
      );
  } finally {
    await client.close();
  }
}
