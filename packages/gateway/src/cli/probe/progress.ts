import cliProgress from 'cli-progress';
import type { Output } from '../support/output.js';

export interface ProgressState {
  done: number;
  ok: number;
  failed: number;
  /** Input that could not be sent at all (batch's bad lines); shown apart from failed requests. */
  bad?: number;
  /** What is happening now (`openai/gpt-4o-mini`, `waiting 12 s for the free tier`). */
  status?: string;
  costUsd?: number;
}

/**
 * Progress of a long run, on stderr (stdout keeps the report). Interactive (a terminal, no CI): a live bar with
 * lines logged above it. Otherwise plain lines: every logged line, plus a progress line at most every
 * `plainEveryMs` (none when 0) and at the end.
 */
export interface Progress {
  log(line: string): void;
  update(state: ProgressState): void;
  stop(): void;
}

export interface ProgressOptions {
  total: number;
  /** Word for the items (`models`, `lines`). */
  unit: string;
  /** Plain mode: how often to print a progress line (0 = never; per-item lines are the progress). */
  plainEveryMs: number;
  /** Formats a money amount for the bar. */
  money?: (usd: number) => string;
}

export function createProgress(output: Output, options: ProgressOptions): Progress {
  const money = options.money ?? ((usd: number) => `$${usd.toFixed(4)}`);
  const describe = (s: ProgressState) =>
    `${s.done}/${options.total} ${options.unit} (${s.ok} ok, ${s.failed} failed${s.bad ? `, ${s.bad} bad` : ''})${s.costUsd !== undefined ? ` · ${money(s.costUsd)}` : ''}`;

  if (output.interactive && process.stderr.isTTY) {
    const multi = new cliProgress.MultiBar(
      {
        stream: process.stderr,
        format: ` {bar} {value}/{total} ${options.unit} | ${output.green('{ok} ok')} ${output.red('{failed} failed')}{bad}{cost} | {status}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 20,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const bar = multi.create(options.total, 0, { ok: 0, failed: 0, bad: '', status: '', cost: '' });
    return {
      log: (line) => multi.log(`${line}\n`),
      update: (s) =>
        bar.update(s.done, {
          ok: s.ok,
          failed: s.failed,
          bad: s.bad ? ` ${output.yellow(`${s.bad} bad`)}` : '',
          status: (s.status ?? '').slice(0, Math.max(10, output.columns - 60)),
          cost: s.costUsd !== undefined ? ` | ${money(s.costUsd)}` : '',
        }),
      stop: () => multi.stop(),
    };
  }

  let last: ProgressState = { done: 0, ok: 0, failed: 0 };
  let printedAt = Date.now();
  let printedDone = -1;
  const print = () => {
    printedAt = Date.now();
    printedDone = last.done;
    output.err(`progress: ${describe(last)}`);
  };
  return {
    log: (line) => output.err(line),
    update: (s) => {
      last = s;
      if (options.plainEveryMs > 0 && Date.now() - printedAt >= options.plainEveryMs) print();
    },
    stop: () => {
      if (options.plainEveryMs > 0 && printedDone !== last.done) print();
    },
  };
}
