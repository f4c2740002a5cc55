import type { ReasoningDetail } from '../protocol/messages.js';

/**
 * Folds one streamed reasoning detail into the details so far. Providers stream them in pieces per (type, index):
 * `text` and `summary` are appended, every other field (a signature, encrypted data, a format) is set. Exported so
 * a translation that reads the raw chunks (the gateway's Responses writer) merges exactly as the SDK does, and the
 * details it replays byte for byte are the ones the result carries.
 */
export function mergeReasoningDetail(details: ReasoningDetail[], detail: ReasoningDetail): void {
  const last = details.findLast((d) => d.type === detail.type && (d.index ?? 0) === (detail.index ?? 0));
  if (!last) {
    details.push({ ...detail });
    return;
  }
  for (const [key, value] of Object.entries(detail)) {
    if (value === undefined || value === null || key === 'type' || key === 'index') continue;
    const field = last as Record<string, unknown>;
    if ((key === 'text' || key === 'summary') && typeof value === 'string') {
      field[key] = (typeof field[key] === 'string' ? (field[key] as string) : '') + value;
    } else field[key] = value;
  }
}
