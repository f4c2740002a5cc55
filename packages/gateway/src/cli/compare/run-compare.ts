import { readFileSync } from 'node:fs';
import { spinner } from '@clack/prompts';
import type { ChatResult, Message } from '@switchyard/sdk';
import { selectTargets } from '../probe/select-models.js';
import { wrapText } from '../probe/wrap-text.js';
import { FailureExit, UsageError } from '../support/exit-codes.js';
import { createOutput } from '../support/output.js';
import { openCliClient } from '../support/sdk-client.js';
import { sideBySide, stacked, verdict } from './compare-layout.js';
import { toResult } from './compare-result.js';

// The implementation of `switchyard compare` (commands/compare.ts defines the command): the SDK client and the
// spinner (@clack/prompts) load from here, only when a comparison runs.

export interface CompareFlags {
  models: string[];
  system?: string;
  maxTokens?: number;
  temperature?: number;
  json?: boolean;
  config?: string;
}

function readPrompt(words: string[]): string {
  if (words.length === 1 && words[0] === '-') return readFileSync(0, 'utf8').trim();
  if (words.length > 0) return words.join(' ').trim();
  if (!process.stdin.isTTY) return readFileSync(0, 'utf8').trim();
  return '';
}

/** Ask every model at once, then print the answers side by side (or as JSON). */
export async function runCompare(words: string[], flags: CompareFlags): Promise<void> {
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
}
