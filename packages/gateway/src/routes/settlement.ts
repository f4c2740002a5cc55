import type { ChatResult, SwitchyardError } from '@switchyard/sdk';
import { estimateRequestTokens, estimateTextTokens } from '@switchyard/sdk/context';
import { callerId } from '../http/auth.js';
import { upstreamAccountError } from '../http/error-reply.js';
import type { GatewayServices, UsageEstimate } from '../server/services.js';
import type { Admitted } from './admission.js';
import { catalogRow, costAt } from './catalog-row.js';

export interface Outcome {
  result?: ChatResult;
  error?: SwitchyardError;
  /** Text already delivered when a stream was cut, for estimating its cost when no usage arrived. */
  partialText?: string;
}

function spent(result: ChatResult | undefined, error?: SwitchyardError): number {
  if (result) return result.attempts?.reduce((sum, a) => sum + (a.costUsd ?? 0), 0) || result.cost.usd;
  return error?.partial?.costUsd ?? 0;
}

/**
 * Tokens and cost the gateway estimates when the upstream reported no usage: the request's prompt and the answer's
 * text (all of it, or what a cut stream had delivered) at the catalog's prices for `model` — a cut stream was billed
 * for its prompt and the output produced so far, and must count against budgets and token limits (0 USD when the
 * catalog does not list the model: nothing to price it with).
 */
async function estimateOf(
  services: GatewayServices,
  admitted: Admitted,
  model: string | undefined,
  answer: string,
): Promise<UsageEstimate> {
  const row = model ? await catalogRow(services, model) : undefined;
  const tokenizer = row?.architecture.tokenizer;
  const promptTokens = estimateRequestTokens(admitted.body as never, tokenizer).total;
  const completionTokens = estimateTextTokens(answer, tokenizer);
  return { promptTokens, completionTokens, usd: costAt(row, promptTokens, completionTokens) };
}

/** The text of a whole answer, as the tokens it was billed for: content, reasoning and tool-call arguments. */
const answerText = (result: ChatResult): string =>
  result.text + (result.reasoning ?? '') + result.toolCalls.map((call) => call.arguments).join('');

/** When each upstream account problem was last logged, per gateway: once a minute is seen, and is not a flood. */
const accountWarnings = new WeakMap<GatewayServices, Map<string, number>>();

/** An upstream refusing the gateway's key or account needs the operator: said in the log, at most once a minute. */
function warnOperator(services: GatewayServices, error: SwitchyardError): void {
  const account = upstreamAccountError(error);
  if (!account) return;
  let last = accountWarnings.get(services);
  if (!last) {
    last = new Map();
    accountWarnings.set(services, last);
  }
  const now = Date.now();
  if (now - (last.get(account.code) ?? 0) < 60_000) return;
  last.set(account.code, now);
  services.logger.error(
    { code: account.code, upstreamStatus: error.status, upstreamMessage: error.message },
    `${account.says}: check OPENROUTER_API_KEY and the account (requests fail with 502 until it is fixed)`,
  );
}

/**
 * The end of every admitted request, whatever its outcome: queue the ledger rows, count the metrics, correct the
 * token estimate of the rate limiter and settle the budget reservation to what was spent (or release it).
 *
 * The ledger rows are queued before anything is awaited (except the estimates of a cut stream or a usage-less
 * answer), so that a caller who answers first and settles after (`settleAfterReply`) still has the generation on
 * record by the time its client can ask for it. Until the reservation is settled it holds the worst case: a request
 * admitted in between sees less budget left, never more.
 */
export async function settleRequest(
  services: GatewayServices,
  admitted: Admitted,
  requestId: string,
  stream: boolean,
  outcome: Outcome,
): Promise<void> {
  const { result, error } = outcome;
  let usd = spent(result, error);
  // Only in these rare cases is anything awaited before the rows are queued: a stream cut before its usage came,
  // an answer without a usage object at all (an explicit zero, e.g. a cached answer, is taken at its word).
  let estimate: UsageEstimate | undefined;
  if (!result && error && !error.partial?.usage && outcome.partialText) {
    const model = error.partial?.model ?? (admitted.body.model as string | undefined);
    estimate = await estimateOf(services, admitted, model, outcome.partialText);
    // Unpriced (the catalog lacks the model): what the attempts reported stands.
    if (estimate.usd > 0) usd = estimate.usd;
    else estimate.usd = usd;
  } else if (result !== undefined && result.raw?.usage == null && result.usage.totalTokens === 0) {
    estimate = await estimateOf(services, admitted, result.model, answerText(result));
    usd = estimate.usd;
  }
  const tokens = estimate
    ? estimate.promptTokens + estimate.completionTokens
    : (result?.usage.totalTokens ?? error?.partial?.usage?.totalTokens ?? 0);
  const trace = result?.attempts ?? error?.attempts ?? [];
  services.accounting.record({
    requestId,
    caller: admitted.caller,
    requestedModel: (admitted.body.model as string | undefined) ?? result?.requestedModel ?? '',
    stream,
    trace,
    result,
    spentUsd: usd,
    usageEstimate: estimate,
    error,
  });
  if (services.config.logPrompts) {
    // Opt-in (`log_prompts = true`): prompts and answers can hold personal data.
    services.logger.info({ requestId, messages: admitted.body.messages, answer: result?.text }, 'exchange');
  }
  if (error) warnOperator(services, error);
  services.metrics.attemptsOf(trace);
  if (result) services.metrics.result(result, stream);
  if (admitted.caller.kind === 'key')
    await services.limiter.adjustTokens(callerId(admitted.caller), tokens - admitted.estimatedTokens);
  if (usd > 0 || result) await services.accounting.settle(admitted.reservation, usd, tokens);
  else await services.accounting.release(admitted.reservation);
}

/** `settleRequest` once the reply is out: a failure can no longer change the answer, so it is logged, not thrown. */
export async function settleAfterReply(...args: Parameters<typeof settleRequest>): Promise<void> {
  try {
    await settleRequest(...args);
  } catch (error) {
    args[0].logger.error({ err: error, requestId: args[2] }, 'settling a request after its reply failed');
  }
}
