import { wrapText } from '../probe/wrap-text.js';
import { type Output, usd, visibleLength } from '../support/output.js';
import type { CompareResult } from './compare-result.js';

// How `switchyard compare` lays the answers out: side-by-side columns, or stacked blocks when columns get too narrow.

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
export function sideBySide(results: CompareResult[], width: number, output: Output): string {
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
export function stacked(results: CompareResult[], width: number, output: Output): string {
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

export function verdict(results: CompareResult[]): string | undefined {
  const ok = results.filter((r) => r.success);
  if (ok.length < 2) return undefined;
  const fastest = [...ok].sort((a, b) => (a.latency_ms ?? 0) - (b.latency_ms ?? 0))[0] as CompareResult;
  const cheapest = [...ok].sort((a, b) => a.cost_usd - b.cost_usd)[0] as CompareResult;
  return `fastest: ${fastest.model} (${fastest.latency_ms} ms) · cheapest: ${cheapest.model} (${usd(cheapest.cost_usd)})`;
}
