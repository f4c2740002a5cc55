export { SseDecoder } from './decoder.js';
export { encodeComment, encodeDone, encodeEvent } from './encoder.js';
export { SseEventTooLargeError } from './errors.js';
export { type ReadSseOptions, readSse, readSseBatches } from './read-sse.js';
export type { SseDecoderOptions, SseEvent, SseItem } from './types.js';
