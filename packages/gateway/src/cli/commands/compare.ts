import { type Command, InvalidArgumentError } from 'commander';
import type { CompareFlags } from '../compare/run-compare.js';
import { modelList, parsePositive } from '../parse-options.js';

// The definition of `switchyard compare` only: loaded by every `switchyard` run (for the help), so the
// implementation (compare/run-compare.ts, with the SDK and @clack/prompts) is imported by the action.

function temperature(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 2)
    throw new InvalidArgumentError(`expected a number from 0 to 2, got "${value}"`);
  return n;
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
    .option('--max-tokens <n>', 'longest answer per model', parsePositive)
    .option('--temperature <t>', 'sampling temperature, 0–2', temperature)
    .option('--json', 'print JSON ({"prompt", "results": [...]})')
    .option('-c, --config <file>', 'switchyard.toml to read')
    .addHelpText('after', EXAMPLES)
    .action(async (words: string[], flags: CompareFlags) => {
      const { runCompare } = await import('../compare/run-compare.js');
      await runCompare(words, flags);
    });
}
