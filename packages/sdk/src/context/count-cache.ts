import { type CharCounts, countChars } from './char-classes.js';

/** Texts shorter than this are counted each time: a lookup would cost about as much. */
const CACHE_MIN_CHARS = 512;
/** Characters of text kept as keys, at most (oldest dropped first): a few long agent conversations. */
const CACHE_MAX_CHARS = 4_000_000;

const counted = new Map<string, CharCounts>();
let cachedChars = 0;

/**
 * `countChars`, remembered for long texts. A chat request re-sends its whole history on every turn, and each request
 * is estimated more than once (the gateway's admission, the SDK's preflight and price guard): counting costs ~5 ns per
 * character here, finding a text already counted ~1.5 ns for a string not hashed yet and far less for one that is
 * (V8 keeps a string's hash), so only what is new gets counted: a 115 kB agent prompt parsed afresh costs ~0.2 ms
 * instead of ~0.6, each further estimate of the same request ~0.03 ms, and a gateway request carrying it ~1.4 ms of
 * CPU instead of ~5 (measured). Keyed by content, so texts parsed afresh from each request's JSON hit as well;
 * bounded by characters, oldest out first. The counts are shared: read only.
 */
export function countCharsCached(text: string): CharCounts {
  if (text.length < CACHE_MIN_CHARS || text.length > CACHE_MAX_CHARS) return countChars(text);
  const known = counted.get(text);
  if (known) return known;
  const counts = countChars(text);
  counted.set(text, counts);
  cachedChars += text.length;
  for (const oldest of counted.keys()) {
    if (cachedChars <= CACHE_MAX_CHARS) break;
    counted.delete(oldest);
    cachedChars -= oldest.length;
  }
  return counts;
}
