import type { CatalogSort } from '@switchyard/sdk';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ModelsFlags } from '../models/run-models.js';
import { parsePositive } from '../parse-options.js';

// The definition of `switchyard models` only: loaded by every `switchyard` run (for the help), so the implementation
// (models/run-models.ts, with the SDK) is imported by the action.

const SORTS: CatalogSort[] = ['popular', 'price', 'context', 'newest', 'name'];

/** USD per million tokens: `0.5`, `3`. */
function price(value: string): number {
  const n = Number(value.trim().replace(/^\$/, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`expected USD per million tokens such as 0.5 or 3, got "${value}"`);
  return n;
}

/** `128000`, `128k`, `1m`. */
function contextSize(value: string): number {
  const match = /^(\d+(?:\.\d+)?)([km])?$/i.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`expected a token count such as 32000, 128k or 1m, got "${value}"`);
  const unit = match[2]?.toLowerCase() === 'm' ? 1_000_000 : match[2] ? 1000 : 1;
  return Math.round(Number(match[1]) * unit);
}

function list(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list');
  return items;
}

const EXAMPLES = `
Examples:
  switchyard models                                   every chat model, most used first
  switchyard models llama instruct --free             free models whose id, name or description has both words
  switchyard models --supports tools,response_format --min-context 128k --sort price --top 10
  switchyard models --modality image --max-price 1    models that read images, at most $1 per million tokens
  switchyard models --output embeddings               embedding models
  switchyard models openai/gpt-4o-mini                one model in detail, with its provider endpoints
  switchyard models --free --json | jq -r '.data[].id'

Prices are USD per million tokens (PROMPT = input, COMPLETION = output). FLAGS: tools (tool calling), json
(structured output), reasoning. --supports takes names from the models' supported_parameters. The catalog is
fetched from OpenRouter (no key needed) and cached for an hour on disk; offline, the cached copy is shown.`;

/** `switchyard models`: search and browse the model catalog. */
export function registerModels(program: Command): void {
  program
    .command('models')
    .description('search the model catalog: prices, context, modalities, capabilities')
    .argument('[query...]', 'words that must all appear in the id, name or description; an exact id shows details')
    .option('--free', 'only free models')
    .option('--paid', 'only paid models')
    .option('--max-price <usd>', 'prompt and completion at most this many USD per million tokens', price)
    .option('--min-context <tokens>', 'context window of at least this many tokens (32000, 128k, 1m)', contextSize)
    .option(
      '--supports <params>',
      'comma-separated parameters the model must support (tools, response_format, …)',
      list,
    )
    .option('--modality <list>', 'input modalities the model must accept (image, audio, file, video)', list)
    .option('--output <list>', 'output modalities: text (default), embeddings, image, or all', list)
    .option('--author <name>', 'only this author (the id before the slash: openai, anthropic, …)')
    .addOption(new Option('--sort <order>', 'order of the list').choices(SORTS).default('popular'))
    .option('--top <n>', 'show only the first n models', parsePositive)
    .option('--json', 'print JSON ({"data": [models]})')
    .option('-c, --config <file>', 'switchyard.toml to read')
    .addHelpText('after', EXAMPLES)
    .action(async (words: string[], flags: ModelsFlags) => {
      // The SDK client and the printing load only when the command runs (start-up of every command stays fast).
      const { runModels } = await import('../models/run-models.js');
      await runModels(words, flags);
    });
}
