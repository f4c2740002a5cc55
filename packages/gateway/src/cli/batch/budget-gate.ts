import { type ChatParams, type ChatRequest, estimateRequestTokens, type Model, pricesOf, toUsd } from '@switchyard/sdk';

/**
 * The most a request can cost on `model`, in USD: the estimated prompt at the prompt price, plus the largest answer
 * it allows (`max_tokens`, else the model's output limit, else what is left of the context) at the completion price,
 * plus any per-request price. Routers with a variable price (`openrouter/auto`) give undefined: not knowable.
 */
export function worstCaseUsd(model: Model, params: ChatParams): number | undefined {
  const prices = pricesOf(model);
  if (prices.variable) return undefined;
  const promptTokens = estimateRequestTokens(params as ChatRequest, model.architecture?.tokenizer).total;
  const context = model.context_length ?? model.top_provider?.context_length ?? 0;
  const asked = Number(params.max_completion_tokens ?? params.max_tokens);
  const output = Number.isFinite(asked)
    ? asked
    : (model.top_provider?.max_completion_tokens ?? Math.max(0, context - promptTokens));
  const tokens = (n: number) => BigInt(Math.max(0, Math.ceil(n)));
  return toUsd(prices.prompt * tokens(promptTokens) + prices.completion * tokens(output) + prices.request);
}

/**
 * `--budget`: a hard cap on what one run spends. Before a request is sent its worst case is reserved; when the
 * answer arrives the reservation becomes the actual cost. A request whose worst case does not fit what is left is
 * not sent — after waiting for the requests in flight to settle, since they usually cost less than reserved.
 */
export class BudgetGate {
  private spentUsd = 0;
  private reservedUsd = 0;
  private settled: (() => void)[] = [];

  constructor(readonly limitUsd: number) {}

  get spent(): number {
    return this.spentUsd;
  }

  /** Reserves `worstUsd`; false when it can never fit (nothing is in flight and it still does not). */
  async reserve(worstUsd: number): Promise<boolean> {
    for (;;) {
      if (this.spentUsd + this.reservedUsd + worstUsd <= this.limitUsd) {
        this.reservedUsd += worstUsd;
        return true;
      }
      if (this.reservedUsd <= 0) return false;
      await new Promise<void>((resolve) => this.settled.push(resolve));
    }
  }

  /** A request ended: its reservation is released and what it cost is counted. */
  settle(reservedUsd: number, actualUsd: number): void {
    this.reservedUsd = Math.max(0, this.reservedUsd - reservedUsd);
    this.spentUsd += actualUsd;
    const waiting = this.settled;
    this.settled = [];
    for (const wake of waiting) wake();
  }
}
