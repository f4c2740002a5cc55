import type { Rng } from '../util/prng.js';

/**
 * Deterministic reply text. Answers are assembled from a small sentence bank (our own words) so that they read
 * like an assistant, split into word-sized tokens (a leading space belongs to the token, as in BPE vocabularies).
 */

const OPENINGS = [
  'Sure, here is a simulated answer.',
  'Happy to help with that.',
  'Here is what I would suggest.',
  'Good question.',
  'Let me walk through it.',
  'Hello! This reply comes from the switchyard simulator.',
];

const SENTENCES = [
  'Start with the smallest change that shows the idea works, then measure before optimizing further.',
  'The key trade-off is between latency and cost, and the right balance depends on your traffic.',
  'A fallback model keeps requests flowing when the primary provider is overloaded.',
  'Caching the shared prefix of long prompts lowers both the bill and the time to first token.',
  'Structured output is easier to validate when the schema is small and every field is required.',
  'Retries should respect the server hint about when to try again instead of guessing.',
  'Streaming lets the user read the first words while the rest of the answer is still being written.',
  'Keep secrets out of logs, and rotate any key that was ever printed by mistake.',
  'Budgets work best when they are checked before a request is sent, not after the invoice arrives.',
  'A circuit breaker stops hammering a failing endpoint and probes it again after a pause.',
  'Tool calls let the model ask your code for facts it cannot know on its own.',
  'Small, well-named functions make the behaviour of a system easier to explain and to test.',
  'Measure the whole path end to end, because the slowest step is rarely the one you expect.',
  'When two answers disagree, compare their sources before trusting either of them.',
  'Every request should end with either a result or an error that says what went wrong.',
  'Batching independent work reduces overhead, but it also delays the first result.',
  'Clear documentation saves more time than any clever optimization.',
  'The simplest correct design is usually also the one that is cheapest to operate.',
];

const REASONING = [
  'The user is asking for a short, practical answer.',
  'I should check what information the request already provides.',
  'There are a few possible approaches; the simplest one is probably best here.',
  'Let me consider the constraints before answering.',
  'I will keep the answer concise and concrete.',
  'It may help to mention one trade-off explicitly.',
];

/** Splits text into word-sized tokens whose concatenation is the original text. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? (text ? [text] : []);
}

// The banks are fixed, so their tokens are split once, bare (first sentence) and with the joining space; the regex
// split per sentence was a visible share of a chat request. Other text (tool summaries) is split as it comes.
const BARE = new Map<string, readonly string[]>();
const SPACED = new Map<string, readonly string[]>();
for (const sentence of [...OPENINGS, ...SENTENCES, ...REASONING]) {
  BARE.set(sentence, tokenize(sentence));
  SPACED.set(sentence, tokenize(` ${sentence}`));
}

function fillTokens(rng: Rng, bank: readonly string[], target: number, first?: string): string[] {
  const tokens: string[] = [];
  let sentence = first ?? rng.pick(bank);
  while (tokens.length < target) {
    const spaced = tokens.length > 0;
    const words = (spaced ? SPACED : BARE).get(sentence) ?? tokenize((spaced ? ' ' : '') + sentence);
    for (const word of words) {
      tokens.push(word);
      if (tokens.length >= target && /[.!?]$/.test(word)) break;
    }
    if (tokens.length >= target && /[.!?]$/.test(tokens[tokens.length - 1] ?? '')) break;
    sentence = rng.pick(bank);
  }
  return tokens;
}

const ECHO = /^\s*(?:say|repeat|reply with) exactly:\s?([\s\S]*)$/i;

/** Reply tokens for a plain chat turn. `Say exactly: X` in the last user message makes the reply `X`. */
export function replyTokens(rng: Rng, lastUserText: string, range: readonly [number, number]): string[] {
  const echo = ECHO.exec(lastUserText);
  if (echo) return tokenize(echo[1] ?? '');
  return fillTokens(rng, SENTENCES, rng.int(range[0], range[1]), rng.pick(OPENINGS));
}

/** Reply after tool results: mentions what the tools returned, then a few sentences. */
export function toolFollowUpTokens(rng: Rng, toolOutputs: string[], range: readonly [number, number]): string[] {
  const summary = toolOutputs
    .map((out) => (out.length > 80 ? `${out.slice(0, 77)}...` : out))
    .join('; ')
    .replace(/\s+/g, ' ');
  const first = `Based on the tool results (${summary}), here is the answer.`;
  return fillTokens(rng, SENTENCES, Math.max(range[0], tokenize(first).length + 4), first);
}

/** Hidden-thought tokens for reasoning models. */
export function reasoningTokens(rng: Rng, count: number): string[] {
  return fillTokens(rng, REASONING, Math.max(1, count));
}

/** A short sentence for string fields of generated JSON. */
export function sentence(rng: Rng): string {
  return rng.pick(SENTENCES);
}
