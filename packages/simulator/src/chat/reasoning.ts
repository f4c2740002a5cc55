import type { CatalogModel } from '../types.js';
import { hash32 } from '../util/prng.js';

/** Which reasoning_details dialect a model family speaks (OpenRouter keeps each provider's format). */
export type Family = 'openai' | 'anthropic' | 'google' | 'other';

export function familyOf(model: CatalogModel): Family {
  const author = model.id.slice(0, model.id.indexOf('/'));
  if (author === 'openai') return 'openai';
  if (author === 'anthropic') return 'anthropic';
  if (author === 'google') return 'google';
  return 'other';
}

const EFFORT_TOKENS: Record<string, number> = { minimal: 8, low: 16, medium: 32, high: 64, xhigh: 96, max: 128 };

export interface ReasoningDecision {
  /** Reasoning tokens to spend (0 = the model does not reason on this request). */
  tokens: number;
  /** Whether reasoning text is returned (`reasoning.exclude` and `include_reasoning:false` hide it). */
  visible: boolean;
}

/** Decides whether and how much a model reasons for a request, or returns the 400 message for `effort:"none"`
 * on a model whose reasoning is mandatory. */
export function decideReasoning(model: CatalogModel, request: Record<string, unknown>): ReasoningDecision | string {
  const caps = model.reasoning;
  const config = (request.reasoning ?? undefined) as Record<string, unknown> | undefined;
  const effort = (config?.effort ?? request.reasoning_effort) as string | undefined;
  const includeFlag = request.include_reasoning as boolean | undefined;
  if (!caps) return { tokens: 0, visible: false };
  const off = effort === 'none' || config?.enabled === false || (includeFlag === false && !config);
  if (off && caps.mandatory && (effort === 'none' || config?.enabled === false)) {
    return 'Reasoning is mandatory for this endpoint and cannot be disabled.';
  }
  const asked = (config !== undefined && !off) || includeFlag === true || (effort !== undefined && effort !== 'none');
  if (!(asked || caps.mandatory || (caps.default_enabled && !off))) return { tokens: 0, visible: false };
  const budget = typeof config?.max_tokens === 'number' ? Math.max(1, Math.min(config.max_tokens, 256)) : undefined;
  const tokens = budget ?? EFFORT_TOKENS[effort ?? caps.default_effort ?? 'medium'] ?? 32;
  const visible = config?.exclude !== true && includeFlag !== false;
  return { tokens, visible };
}

/** A deterministic stand-in for a provider's reasoning signature. Seed-independent, so a conversation signed by
 * one simulator instance verifies on another. */
export function signReasoning(text: string): string {
  let h1 = hash32(text, 0x2f6b1d3a);
  let h2 = hash32(text, h1 ^ 0x51ed270b);
  let out = '';
  for (let i = 0; i < 6; i++) {
    out += h1.toString(36).padStart(7, '0') + h2.toString(36).padStart(7, '0');
    h1 = hash32(out, h2);
    h2 = hash32(out, h1);
  }
  return `Er${Buffer.from(out).toString('base64').replace(/=+$/, '')}`;
}

/** The `reasoning_details` a family returns for `text`; `toolCallId` ties Gemini's thought signature to a call. */
export function reasoningDetails(family: Family, text: string, toolCallId?: string): Record<string, unknown>[] {
  switch (family) {
    case 'anthropic':
      return [
        { type: 'reasoning.text', text, signature: signReasoning(text), format: 'anthropic-claude-v1', index: 0 },
      ];
    case 'openai':
      return [
        { type: 'reasoning.summary', summary: text, format: 'openai-responses-v1', index: 0 },
        {
          type: 'reasoning.encrypted',
          data: `gAAAAA${signReasoning(text)}`,
          id: `rs_${hash32(text).toString(16).padStart(8, '0')}`,
          format: 'openai-responses-v1',
          index: 1,
        },
      ];
    case 'google': {
      const signature: Record<string, unknown> = {
        type: 'reasoning.encrypted',
        data: signReasoning(text),
        format: 'google-gemini-v1',
        index: 1,
      };
      if (toolCallId) signature.id = toolCallId;
      return [{ type: 'reasoning.text', text, format: 'google-gemini-v1', index: 0 }, signature];
    }
    default:
      return [{ type: 'reasoning.text', text, format: 'unknown', index: 0 }];
  }
}

/** Anthropic's own 400 when an explicit thinking budget does not fit under the output cap: OpenRouter passes
 * `reasoning.max_tokens` through as `budget_tokens` (at least 1024), and `max_tokens` must exceed it. */
export function checkThinkingBudget(
  model: CatalogModel,
  request: Record<string, unknown>,
  reasoningTokens: number,
): string | undefined {
  if (reasoningTokens === 0 || familyOf(model) !== 'anthropic') return undefined;
  const asked = (request.reasoning as Record<string, unknown> | undefined)?.max_tokens;
  const cap = request.max_completion_tokens ?? request.max_tokens;
  if (typeof asked !== 'number' || typeof cap !== 'number') return undefined;
  if (cap > Math.max(asked, 1024)) return undefined;
  return '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size';
}

/** The provider-side check of replayed reasoning: Anthropic verifies thinking signatures, Gemini 3 requires the
 * thought signature on every assistant tool-call turn. Returns the upstream error text, or undefined. */
export function checkReplayedReasoning(model: CatalogModel, messages: Record<string, unknown>[]): string | undefined {
  const family = familyOf(model);
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (message?.role !== 'assistant') continue;
    const details = Array.isArray(message.reasoning_details)
      ? (message.reasoning_details as Record<string, unknown>[])
      : [];
    if (family === 'anthropic') {
      for (const detail of details) {
        if (detail.type !== 'reasoning.text' || detail.format !== 'anthropic-claude-v1') continue;
        if (typeof detail.text === 'string' && detail.signature !== signReasoning(detail.text)) {
          return `messages.${i}.content.0: Invalid \`signature\` in \`thinking\` block`;
        }
      }
    }
    if (
      family === 'google' &&
      model.id.includes('gemini-3') &&
      Array.isArray(message.tool_calls) &&
      message.tool_calls.length > 0
    ) {
      const signed = details.some((d) => d.type === 'reasoning.encrypted' && d.format === 'google-gemini-v1');
      if (!signed) {
        return (
          'Gemini models require OpenRouter reasoning details to be preserved in each request. Please ensure ' +
          'reasoning_details are included in assistant messages with tool calls. Function call is missing a thought_signature.'
        );
      }
    }
  }
  return undefined;
}
