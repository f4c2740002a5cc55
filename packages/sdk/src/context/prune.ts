/**
 * Client-side pruning to make a conversation fit a context window. Every strategy drops whole units
 * (`tool-groups.ts`): an assistant message with `tool_calls` and its tool results go together or not at all.
 */

import { ConfigError } from '../errors/index.js';
import type { Message } from '../protocol/messages.js';
import { estimateRequestTokens, type TokenizerFamily } from './token-estimator.js';
import { groupToolCalls, isCallUnit, isSystem, type ToolGroups } from './tool-groups.js';

export interface PruneOptions {
  /** The context window to fit, in tokens (usually the model's `context_length`). */
  maxTokens: number;
  family?: TokenizerFamily;
  /** Room kept free for the answer (`max_tokens`); default 0. */
  reserveTokens?: number;
  /** The request's tool definitions and response format: they take room too, and cannot be pruned. */
  tools?: unknown[];
  response_format?: unknown;
}

export interface PruneResult {
  messages: Message[];
  /** Number of messages removed. */
  dropped: number;
  /** Estimated prompt tokens of the pruned request (tools and response format included). */
  tokens: number;
  /** Whether `tokens + reserveTokens <= maxTokens`. When false, `messages` is the minimum: only pinned units. */
  fits: boolean;
}

function budgetOf(options: PruneOptions): number {
  const { maxTokens, reserveTokens = 0 } = options;
  if (!Number.isFinite(maxTokens) || maxTokens < 0) {
    throw new ConfigError(`maxTokens must be a non-negative number, got ${String(maxTokens)}`);
  }
  if (!Number.isFinite(reserveTokens) || reserveTokens < 0) {
    throw new ConfigError(`reserveTokens must be a non-negative number, got ${String(reserveTokens)}`);
  }
  return maxTokens - reserveTokens;
}

/**
 * Units that are never dropped: system/developer messages (instructions), the last user message (the question),
 * and the unit of the last message (the conversation must still end where it ended: a tool result waiting for an
 * answer, an assistant prefill).
 */
function pinnedUnits(messages: readonly Message[], groups: ToolGroups): Set<number> {
  const pinned = new Set<number>();
  messages.forEach((message, i) => {
    if (isSystem(message)) pinned.add(groups.unitOf[i]!);
  });
  const lastUser = messages.findLastIndex((message) => message.role === 'user');
  if (lastUser >= 0) pinned.add(groups.unitOf[lastUser]!);
  if (messages.length > 0) pinned.add(groups.unitOf[messages.length - 1]!);
  return pinned;
}

/** Drops units in `order` until the estimate fits the budget (or nothing droppable is left). */
function dropUntilFits(
  messages: Message[],
  options: PruneOptions,
  groups: ToolGroups,
  order: readonly number[],
): PruneResult {
  const budget = budgetOf(options);
  const request = { messages, tools: options.tools, response_format: options.response_format };
  const { total, perMessage } = estimateRequestTokens(request, options.family);
  let tokens = total;
  const dropped = new Set<number>();
  for (const unit of order) {
    if (tokens <= budget) break;
    for (const i of groups.units[unit]!) {
      dropped.add(i);
      tokens -= perMessage[i]!;
    }
  }
  const kept = dropped.size === 0 ? messages.slice() : messages.filter((_, i) => !dropped.has(i));
  return { messages: kept, dropped: dropped.size, tokens, fits: tokens <= budget };
}

/**
 * Drops the oldest non-system turns until the request fits, never separating an assistant message with
 * `tool_calls` from the tool results answering it, never dropping system/developer messages, the last user
 * message or the final message's unit. Returns the pruned messages and what was dropped.
 */
export function pruneOldest(messages: Message[], options: PruneOptions): PruneResult {
  const groups = groupToolCalls(messages);
  const pinned = pinnedUnits(messages, groups);
  const order = groups.units.map((_, unit) => unit).filter((unit) => !pinned.has(unit));
  return dropUntilFits(messages, options, groups, order);
}

/**
 * OpenRouter's middle-out as a client-side fallback: removes messages from the middle of the conversation until
 * it fits, keeping the start (system/developer messages and the first turn, which usually states the task) and the
 * end (the latest turns). Like OpenRouter it works from the centre outwards, taking the older side on ties.
 */
export function middleOut(messages: Message[], options: PruneOptions): PruneResult {
  const groups = groupToolCalls(messages);
  const pinned = pinnedUnits(messages, groups);
  const first = messages.findIndex((message) => !isSystem(message));
  if (first >= 0) pinned.add(groups.unitOf[first]!);
  const remaining = groups.units.map((_, unit) => unit).filter((unit) => !pinned.has(unit));
  const order: number[] = [];
  while (remaining.length > 0) order.push(remaining.splice(Math.floor((remaining.length - 1) / 2), 1)[0]!);
  return dropUntilFits(messages, options, groups, order);
}

/**
 * Keeps only the last `limit` non-system messages; system/developer messages are always kept in place. Tool pairs
 * stay whole: a kept tool result whose call was cut (or never existed) is dropped too, so the result may hold fewer
 * than `limit` messages; a kept call keeps all its results (they come after it).
 */
export function limitMessages(messages: Message[], limit: number): Message[] {
  if (Number.isNaN(limit)) throw new ConfigError('limit must be a number, got NaN');
  const groups = groupToolCalls(messages);
  const keep = new Set<number>();
  let left = Math.max(0, Math.floor(limit));
  for (let i = messages.length - 1; i >= 0; i--) {
    if (isSystem(messages[i]!)) keep.add(i);
    else if (left > 0) {
      keep.add(i);
      left--;
    }
  }
  return messages.filter((message, i) => {
    if (!keep.has(i)) return false;
    if (message.role !== 'tool') return true;
    const unit = groups.unitOf[i]!;
    return isCallUnit(messages, groups, unit) && keep.has(groups.units[unit]![0]!);
  });
}
