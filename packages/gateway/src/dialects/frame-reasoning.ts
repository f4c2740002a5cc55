import { mergeReasoningDetail, type ReasoningDetail } from '@switchyard/sdk';

/** A chunk that carries at least one reasoning detail (most chunks carry none, or an empty list). */
const CARRIES_DETAILS = /"reasoning_details":\s*\[\s*\{/;

/**
 * A stream's reasoning details, read from its upstream frames. The SDK's stream events carry reasoning *text*; a
 * chunk whose details come without text — Anthropic's closing signature, Gemini's thought signature just before or
 * beside a tool call — makes no event at all. A translating writer needs them when it ends a reasoning item or a
 * thinking block (clients replay what that block's end carried), not only in the final result. Only frames that
 * carry details are parsed (a second time: the SDK parsed them too), and pieces are merged with the SDK's own
 * `mergeReasoningDetail`, so what is sealed here equals what the final result holds. (An SDK event for detail-only
 * deltas would make this unnecessary.)
 */
export class FrameReasoning {
  /** The details gathered (since the last `take()`). */
  details: ReasoningDetail[] = [];

  /** Folds in the details of one upstream frame (`data: {…}`; comments and `[DONE]` are skipped). */
  observe(frame: string): void {
    if (!CARRIES_DETAILS.test(frame)) return;
    let chunk: { choices?: { index?: number; delta?: { reasoning_details?: unknown } }[] };
    try {
      chunk = JSON.parse(frame.slice(frame.indexOf('{')));
    } catch {
      return; // the SDK fails the stream on a malformed chunk; nothing to add here
    }
    const pieces = chunk.choices?.find((c) => (c?.index ?? 0) === 0)?.delta?.reasoning_details;
    if (!Array.isArray(pieces)) return;
    for (const piece of pieces) {
      if (typeof piece === 'object' && piece !== null) mergeReasoningDetail(this.details, piece as ReasoningDetail);
    }
  }

  /** The details gathered since the last call (those of the block now ending), and a fresh start. */
  take(): ReasoningDetail[] {
    const taken = this.details;
    this.details = [];
    return taken;
  }
}
