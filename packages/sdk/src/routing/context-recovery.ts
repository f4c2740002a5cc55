import { pruneOldest } from '../context/prune.js';
import type { ChatRequest } from '../protocol/chat.js';
import { isDroppable } from './droppable-context.js';

// Loaded by the routing loop on the first context-length problem (a lazy chunk in browser bundles): most apps never
// hit one, and pruning brings the history pruner with it.

/** `This endpoint's maximum context length is 131072 tokens.` → 131072. */
export function contextLimitFromMessage(message: string): number | undefined {
  const match = /maximum context length is (\d+)/i.exec(message);
  return match ? Number(match[1]) : undefined;
}

/**
 * The request to try after a context-length error, or undefined when nothing can be removed: `drop-context`
 * removes the caller's droppable context; `prune` drops the oldest turns (keeping system messages, the last user
 * message and tool-call/result pairs) until the prompt fits `limit` minus the reserved output.
 */
export function shrinkForContext(
  request: ChatRequest,
  policy: 'prune' | 'drop-context',
  limit: number | undefined,
  family: string | undefined,
): ChatRequest | undefined {
  if (policy === 'drop-context') {
    const kept = request.messages.filter((m) => !isDroppable(m));
    return kept.length < request.messages.length ? { ...request, messages: kept } : undefined;
  }
  const reserve = request.max_completion_tokens ?? request.max_tokens ?? 0;
  // Without a known limit, aim for three quarters of what was sent.
  const target = limit ?? undefined;
  const pruned = pruneOldest(request.messages, {
    maxTokens: target ?? Math.max(1, Math.floor(estimateShare(request, family) * 0.75)),
    family,
    reserveTokens: target === undefined ? 0 : reserve,
    tools: request.tools,
    response_format: request.response_format,
  });
  return pruned.dropped > 0 ? { ...request, messages: pruned.messages } : undefined;
}

function estimateShare(request: ChatRequest, family: string | undefined): number {
  return pruneOldest(request.messages, {
    maxTokens: Number.MAX_SAFE_INTEGER,
    family,
    tools: request.tools,
    response_format: request.response_format,
  }).tokens;
}
