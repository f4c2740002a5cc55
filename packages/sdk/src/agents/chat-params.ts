import type { ChatRequest } from '../protocol/chat.js';
import type { Extra } from '../protocol/messages.js';

/**
 * Chat parameters without the fields `K` (nor `stream`). A plain `Omit` would not do: `ChatRequest` has an index
 * signature (unknown fields pass through), and `Omit` over it keeps only the index signature, losing every named
 * field's type.
 */
export type ChatParamsWithout<K extends PropertyKey> = {
  [P in keyof ChatRequest as string extends P
    ? never
    : number extends P
      ? never
      : P extends K | 'stream'
        ? never
        : P]: ChatRequest[P];
} & Extra;
