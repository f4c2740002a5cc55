import {
  AbortError,
  type ChatResult,
  type Message,
  type PartialOutput,
  type Switchyard,
  SwitchyardError,
} from '@switchyard/sdk';
import { usd } from '../support/output.js';
import type { TurnUsage } from './session-totals.js';

export interface TurnRequest {
  /** Undefined: the SDK picks (configured default model, else its selection policy). */
  model: string | undefined;
  messages: Message[];
}

export interface TurnOptions {
  /** Stream the answer (text arrives piece by piece) or ask for it whole. */
  stream: boolean;
  signal?: AbortSignal;
  onText?(text: string): void;
  onReasoning?(text: string): void;
}

/**
 * One request of a chat: streamed or not, through the SDK's routing (retries and fallbacks before the first token).
 * Resolves with the result; rejects with the SDK's typed error — `AbortError` when `signal` fired, `StreamError`
 * (with `partial`) when the answer broke off after text had been shown.
 */
export async function runTurn(sy: Switchyard, request: TurnRequest, options: TurnOptions): Promise<ChatResult> {
  const params = { messages: request.messages, ...(request.model ? { model: request.model } : {}) };
  if (!options.stream) {
    const result = await sy.chat(params, { signal: options.signal });
    if (result.reasoning) options.onReasoning?.(result.reasoning);
    options.onText?.(result.text);
    return result;
  }
  const stream = sy.stream(params, { signal: options.signal });
  for await (const event of stream) {
    if (event.type === 'text') options.onText?.(event.text);
    else if (event.type === 'reasoning') options.onReasoning?.(event.text);
  }
  return stream.final();
}

/** `49 tokens (10 in · 39 out) · $0.0000249 · openai/gpt-4o-mini via OpenAI · 0.3 s` */
export function statsLine(result: ChatResult): string {
  const u = result.usage;
  const extra = [
    u.reasoningTokens ? `${u.reasoningTokens} reasoning` : '',
    u.cachedTokens ? `${u.cachedTokens} cached` : '',
  ].filter(Boolean);
  const tokens = `${u.totalTokens} tokens (${u.promptTokens} in · ${u.completionTokens} out${extra.map((e) => ` · ${e}`).join('')})`;
  const cost = result.cost.unpriced
    ? 'cost unknown'
    : `${usd(result.cost.usd)}${result.cost.source === 'computed' ? ' (computed)' : ''}`;
  const asked =
    result.requestedModel && result.requestedModel !== result.model ? ` (asked for ${result.requestedModel})` : '';
  const served = `${result.model}${result.provider ? ` via ${result.provider}` : ''}${asked}`;
  return [tokens, cost, served, `${(result.timing.totalMs / 1000).toFixed(1)} s`].join(' · ');
}

/** The totals entry of a finished answer. */
export function usageOfResult(result: ChatResult): TurnUsage {
  return {
    model: result.model,
    promptTokens: result.usage.promptTokens,
    completionTokens: result.usage.completionTokens,
    totalTokens: result.usage.totalTokens,
    costUsd: result.cost.usd,
    unpriced: result.cost.unpriced,
    ok: true,
  };
}

/** What arrived before an error or Ctrl+C (the SDK attaches it to the error). */
export function partialOf(error: unknown): PartialOutput | undefined {
  return error instanceof SwitchyardError ? error.partial : undefined;
}

/** The totals entry of a failed or stopped answer: whatever usage arrived (often none on a broken stream). */
export function usageOfFailure(error: unknown, model: string | undefined): TurnUsage {
  const partial = partialOf(error);
  const usage = partial?.usage;
  return {
    model: partial?.model ?? (error instanceof SwitchyardError ? error.model : undefined) ?? model ?? 'unknown model',
    promptTokens: usage?.promptTokens ?? 0,
    completionTokens: usage?.completionTokens ?? 0,
    totalTokens: usage?.totalTokens ?? 0,
    costUsd: partial?.costUsd,
    ok: false,
  };
}

export function isAbort(error: unknown): boolean {
  return error instanceof AbortError;
}

/**
 * One line for a failed answer, naming the model and upstream provider when known:
 * `The answer broke off: Provider returned error (openai/gpt-4o via Azure, after 17 characters) [stream_error]`.
 */
export function describeTurnError(error: unknown, verbose: boolean): string {
  if (!(error instanceof Error)) return String(error);
  const partial = partialOf(error);
  const model = partial?.model ?? (error instanceof SwitchyardError ? error.model : undefined);
  const provider = partial?.provider ?? (error instanceof SwitchyardError ? error.provider : undefined);
  const where = [
    model ? `${model}${provider ? ` via ${provider}` : ''}` : '',
    partial?.text ? `after ${partial.text.length} characters` : '',
  ].filter(Boolean);
  const lead = partial?.text ? 'The answer broke off: ' : '';
  const code = verbose && error instanceof SwitchyardError ? ` [${error.code}]` : '';
  let line = `${lead}${error.message}${where.length ? ` (${where.join(', ')})` : ''}${code}`;
  if (verbose && error.cause instanceof Error) line += `\n  caused by: ${error.cause.message}`;
  return line;
}
