import { readFileSync } from 'node:fs';
import { spinner } from '@clack/prompts';
import type { ChatResult, Message } from '@switchyard/sdk';
import { type Command, InvalidArgumentError } from 'commander';
import { parseInteger } from '../parse-options.js';
import { type FailureRecord, failureReason, failureRecord } from '../probe/failure.js';
import { resultCost } from '../probe/probe-model.js';
import { modelList, selectTargets } from '../probe/select-models.js';
import { wrapText } from '../probe/wrap-text.js';
import { FailureExit, UsageError } from '../support/exit-codes.js';
import { createOutput, type Output, usd, visibleLength } from '../support/output.js';
import { openCliClient } from '../support/sdk-client.js';

interface CompareFlags {
  models: string[];
  system?: string;
  maxTokens?: number;
  temperature?: number;
  json?: boolean;
  config?: string;
}

/** One model's answer as `--json` prints it. */
interface CompareResult {
  model: string;
  success: boolean;
  text: string | null;
  finish_reason: string | null;
  latency_ms: number | null;
  ttft_ms: number | null;
  tokens: { prompt: number; completion: number; total: number } | null;
  cost_usd: number;
  served_model: string | null;
  provider: string | null;
  error: FailureRecord | null;
  reason: string | null;
}

function positive(value: string): number {
  const n = parseInteger(value);
  if (n < 1) throw new InvalidArgumentError(`expected a positive integer, got ${n}`);
  return n;
}

function temperature(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 2)
    throw new InvalidArgumentError(`expected a number from 0 to 2, got "${value}"`);
  return n;
}

function toResult(model: string, settled: PromiseSettledResult<ChatResult>): CompareResult {
  if (settled.status === 'fulfilled') {
    const r = settled.value;
    return {
      model,
      success: true,
      text: r.text,
      finish_reason: r.finishReason,
      latency_ms: r.timing.totalMs,
      ttft_ms: r.timing.ttftMs ?? null,
      tokens: { prompt: r.usage.promptTokens, completion: r.usage.completionTokens, total: r.usage.totalTokens },
      cost_usd: resultCost(r),
      served_model: r.model ?? null,
      provider: r.provider ?? null,
      error: null,
      reason: null,
    };
  }
  const error = failureRecord(settled.reason);
  const partial = (settled.reason as { partial?: { text?: string } }).partial?.text;
  return {
    model,
    success: false,
    text: partial || null,
    finish_reason: null,
    latency_ms: null,
    ttft_ms: null,
    tokens: null,
    cost_usd: 0,
    served_model: null,
    provider: error.provider,
    error,
    reason: failureReason(error),
  };
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - visibleLength(text)));

function metrics(r: CompareResult): string[] {
  if (!r.success) return [];
  return [
    `latency  ${r.latency_ms} ms`,
    `ttft     ${r.ttft_ms === null ? '—' : `${r.ttft_ms} ms`}`,
    `tokens   ${r.tokens ? `${r.tokens.prompt} → ${r.tokens.completion}` : '—'}`,
    `cost     ${usd(r.cost_usd)}`,
    `provider ${r.provider ?? '—'}`,
  ];
}

function answerLines(r: CompareResult, width: number, output: Output): string[] {
  if (r.success) return wrapText(r.text || '(empty answer)', width);
  const lines = wrapText(`FAILED: ${r.reason}`, width).map((l) => output.red(l));
  if (r.text) lines.push('', ...wrapText(`partial answer: ${r.text}`, width).map((l) => output.dim(l)));
  return lines;
}

/** Columns next to each other, separated by ` │ `. */
function sideBySide(results: CompareResult[], width: number, output: Output): string {
  const gap = ` ${output.dim('│')} `;
  const rows = (cells: string[][]) => {
    const height = Math.max(...cells.map((c) => c.length));
    const out: string[] = [];
    for (let i = 0; i < height; i++)
      out.push(
        cells
          .map((c) => pad(c[i] ?? '', width))
          .join(gap)
          .trimEnd(),
      );
    return out;
  };
  const rule = results.map(() => output.dim('─'.repeat(width))).join(output.dim('─┼─'));
  return [
    ...rows(results.map((r) => wrapText(r.model, width).map((l) => output.bold(output.cyan(l))))),
    rule,
    ...rows(results.map((r) => answerLines(r, width, output))),
    rule,
    ...rows(results.map((r) => metrics(r).flatMap((m) => (m.length <= width ? [m] : wrapText(m, width))))),
  ].join('\n');
}

/** One block per model, the full width each (narrow terminals, many models). */
function stacked(results: CompareResult[], width: number, output: Output): string {
  const blocks = results.map((r) => {
    const title = `── ${r.model} `;
    const head = output.bold(output.cyan(title + '─'.repeat(Math.max(0, width - title.length))));
    const facts = metrics(r)
      .map((m) => m.replace(/\s+/, ' '))
      .join(' · ');
    return [head, ...answerLines(r, width, output), ...(facts ? [output.dim(facts)] : [])].join('\n');
  });
  return blocks.join('\n\n');
}

function verdict(results: CompareResult[]): string | undefined {
  const ok = results.filter((r) => r.success);
  if (ok.length < 2) return undefined;
  const fastest = [...ok].sort((a, b) => (a.latency_ms ?? 0) - (b.latency_ms ?? 0))[0] as CompareResult;
  const cheapest = [...ok].sort((a, b) => a.cost_usd - b.cost_usd)[0] as CompareResult;
  return `fastest: ${fastest.model} (${fastest.latency_ms} ms) · cheapest: ${cheapest.model} (${usd(cheapest.cost_usd)})`;
}

function readPrompt(words: string[]): string {
  if (words.length === 1 && words[0] === '-') return readFileSync(0, 'utf8').trim();
  if (words.length > 0) return words.join(' ').trim();
  if (!process.stdin.isTTY) return readFileSync(0, 'utf8').trim();
  return '';
}

const EXAMPLES = `
Examples:
  switchyard compare --models openai/gpt-4o-mini,anthropic/claude-3.5-haiku "Explain TCP in one sentence"
  switchyard compare --models a,b,c --system "Answer in French" --max-tokens 200 "What is a monad?"
  cat question.txt | switchyard compare --models a,b -
  switchyard compare --models a,b "Hi" --json | jq '.results[] | {model, latency_ms, cost_usd}'

The models are asked at the same time (one streamed request each, no fallbacks, so every column is that model's
own answer). Columns are as wide as the terminal allows (80 characters when not a terminal); with too many models
for side-by-side columns of 24 characters, the answers are shown one below the other.
Exit codes: 0 every model answered, 1 at least one failed, 2 wrong usage.`;

/** `switchyard compare`: one prompt, several models, answers side by side. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('ask several models the same thing at once and show the answers side by side')
    .argument('[prompt...]', 'the prompt (or - to read it from stdin)')
    .requiredOption('--models <ids>', 'comma-separated model ids', modelList)
    .option('--system <text>', 'a system message')
    .option('--max-tokens <n>', 'longest answer per model', positive)
    .option('--temperature <t>', 'sampling temperature, 0–2', temperature)
    .option('--json', 'print JSON ({"prompt", "results": [...]})')
    .option('-c, --config <file>', 'switchyard.toml to read')
    .addHelpText('after', EXAMPLES)
    .action(async (words: string[], flags: CompareFlags) => {
      const prompt = readPrompt(words);
      if (!prompt) throw new UsageError('give a prompt: switchyard compare --models a,b "your prompt"');
      if (flags.models.length === 0) throw new UsageError('--models needs at least one model id');
      const output = createOutput();
      const client = await openCliClient({ config: flags.config }, output, { fallbackModels: [] });
      try {
        const targets = await selectTargets(client.sy, { models: flags.models });
        const messages: Message[] = [];
        if (flags.system) messages.push({ role: 'system', content: flags.system });
        messages.push({ role: 'user', content: prompt });
        const spin = output.interactive && !flags.json ? spinner({ output: process.stderr }) : undefined;
        let answered = 0;
        spin?.start(`asking ${targets.length} models`);
        const settled = await Promise.allSettled(
          targets.map(async (t) => {
            try {
              return await client.sy
                .stream({
                  model: t.model,
                  messages,
                  ...(flags.maxTokens !== undefined ? { max_tokens: flags.maxTokens } : {}),
                  ...(flags.temperature !== undefined ? { temperature: flags.temperature } : {}),
                })
                .final();
            } finally {
              answered++;
              spin?.message(`asking ${targets.length} models (${answered} done)`);
            }
          }),
        );
        spin?.stop(`${targets.length} models answered`);
        const results = targets.map((t, i) => toResult(t.model, settled[i] as PromiseSettledResult<ChatResult>));

        if (flags.json) output.json({ prompt, results });
        else {
          const columns = Math.max(40, output.columns);
          const width = Math.floor((columns - 3 * (results.length - 1)) / results.length);
          output.out(width >= 24 ? sideBySide(results, width, output) : stacked(results, columns, output));
          const best = verdict(results);
          if (best)
            output.out(
              `\n${wrapText(best, columns)
                .map((l) => output.dim(l))
                .join('\n')}`,
            );
        }
        const failed = results.filter((r) => !r.success).length;
        if (failed > 0) throw new FailureExit(`${failed} of ${results.length} models failed`);
      } finally {
        await client.close();
      }
    });
}
