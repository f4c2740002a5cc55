import type { Model } from '@switchyard/sdk';
import { estimateRequestTokens, estimateTextTokens } from '@switchyard/sdk/context';
import { listedPrices, NO_PRICES, type PriceCeiling, priceCeiling, routerCandidates } from '@switchyard/sdk/routing';

/** The most a request may cost on one candidate model, and the tokens it may use. */
export interface WorstCase {
  usd: number;
  /** Prompt plus the most the answer may write: what a token budget reserves. */
  tokens: number;
  /**
   * What rate limits (tokens per minute) count at admission, corrected to the real usage afterwards: the prompt
   * plus the request's `max_tokens`, else the model's output limit, else 4,096 — not a whole context, which would
   * let one request without `max_tokens` take a minute's allowance until it is corrected.
   */
  rateTokens: number;
  /** A candidate model whose price is unknown, reckoned at the catalog ceiling (said when a budget refuses). */
  unpriced?: string;
  /** No listing to price with at all (the catalog could not be had): `usd` is not a worst case. */
  pricesUnknown?: true;
}

/** What a request may write when nothing says more precisely (and what rate limits count without `max_tokens`). */
const DEFAULT_OUTPUT_TOKENS = 4096;

/**
 * Worst-case cost of a chat or embeddings request (`body`) on one candidate `model`, from its catalog `row`: its
 * own prices (with the tiers a prompt this long may be billed at), or — when they are unknown (a router such as
 * `openrouter/auto`, a model the listing lacks, no model named) — the ceiling of the `listing`'s priced models
 * (those an Auto Router request allows, when it says), with the highest output limit among them; `listing` is
 * asked only then. Without a listing there is nothing to price with (`pricesUnknown`). The output is the request's
 * `max_tokens`, else the model's output limit, else what its context leaves. Shared by the gateway's admission and
 * `switchyard batch --budget`.
 */
export function worstCaseOn(
  body: Record<string, unknown>,
  model: string | undefined,
  row: Model | undefined,
  listing: () => readonly Model[] | undefined,
): WorstCase {
  const embedding = body.input !== undefined;
  const prompt = embedding
    ? estimateTextTokens(
        typeof body.input === 'string' ? body.input : JSON.stringify(body.input),
        row?.architecture.tokenizer,
      )
    : estimateRequestTokens(body as never, row?.architecture.tokenizer).total;
  const own = row && listedPrices(row, prompt);
  const listed = own ? undefined : listing();
  const ceiling: PriceCeiling | undefined = listed ? priceCeiling(listed, routerCandidates(body)) : undefined;
  const prices = own ?? ceiling ?? NO_PRICES;
  // Without a limit of its own a model may write what its context leaves (as the SDK's price guard reckons it);
  // a router as much as the most generous model it may pick.
  const context = row?.context_length ?? row?.top_provider.context_length ?? 0;
  const limit = body.max_completion_tokens ?? body.max_tokens ?? row?.top_provider.max_completion_tokens;
  const output = embedding
    ? 0
    : Number(limit ?? (ceiling?.maxCompletionTokens || Math.max(0, context - prompt) || DEFAULT_OUTPUT_TOKENS));
  const rateOutput = embedding ? 0 : Math.min(output, Number(limit ?? DEFAULT_OUTPUT_TOKENS));
  const worst: WorstCase = {
    usd: prompt * prices.prompt + output * prices.completion + prices.request,
    tokens: prompt + output,
    rateTokens: prompt + rateOutput,
  };
  if (ceiling) worst.unpriced = model ?? 'the default model';
  if (!own && !listed) worst.pricesUnknown = true;
  return worst;
}
