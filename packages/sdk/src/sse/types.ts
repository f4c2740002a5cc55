/** One dispatched event. `event`, `id` and `retry` are present only when the event's own block set them. */
export interface SseEvent {
  data: string;
  event?: string;
  id?: string;
  retry?: number;
}

/** What the decoder surfaces: events, and comments (`: OPENROUTER PROCESSING` keep-alives count as activity). */
export type SseItem = { type: 'event'; event: SseEvent } | { type: 'comment'; text: string };

export interface SseDecoderOptions {
  /**
   * Bound, in UTF-8 bytes, on any single line (field name included) and on one event's data; default 8 MiB. Lines
   * are checked whole too, not only while held back, so whether a stream passes never depends on its chunking.
   */
  maxEventBytes?: number;
}
