import { type Command, Option } from 'commander';
import { parseNonNegative } from '../parse-options.js';
import { parseDuration } from '../probe/duration.js';
import { FREE_MODELS_PER_MINUTE } from '../probe/rate-pacer.js';

/**
 * `--free-rpm` and `--max-wait`, the rate-limit flags `probe` and `batch` share. `failure` says what happens when a
 * wait would be longer than `--max-wait` (a line fails, a model is recorded as failed).
 */
export function rateLimitOptions(command: Command, failure: string): Command {
  return (
    command
      .option(
        '--free-rpm <n>',
        `free-model requests per minute (OpenRouter's free tier: ${FREE_MODELS_PER_MINUTE}; 0 = no limit)`,
        parseNonNegative,
        FREE_MODELS_PER_MINUTE,
      )
      // The default's description is given: commander would print the parsed 120000, which reads as seconds here.
      .addOption(
        new Option('--max-wait <duration>', `longest wait for a rate limit before ${failure}`)
          .argParser(parseDuration)
          .default(120_000, '2m'),
      )
  );
}
