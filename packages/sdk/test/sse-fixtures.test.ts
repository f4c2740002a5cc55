/**
 * SseDecoder over the recorded OpenRouter-style bodies in packages/simulator/fixtures/sse: every chunking of a
 * fixture (whole, 1-byte, 64-byte, seeded random cuts), and its CRLF and CR conversions, must give the same items,
 * and those items must match the manifest's facts. Failures print the seed; rerun with SSE_SEED=<seed> to replay.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SseDecoder, type SseItem } from '../src/sse/decoder.js';

const FIXTURES = new URL('../../simulator/fixtures/sse/', import.meta.url);

interface Facts {
  done: boolean;
  comments: number | null;
  dataFrames: number;
  malformedFrames: number;
  text: string | null;
}

interface Entry {
  name: string;
  file: string;
  facts: Facts;
}

const manifest = JSON.parse(readFileSync(new URL('manifest.json', FIXTURES), 'utf8')) as { fixtures: Entry[] };
const SEED = Number(process.env.SSE_SEED ?? 0x5eed);

/** mulberry32: tiny, fast and good enough to pick cut points reproducibly. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function decodeChunks(chunks: Uint8Array[]): { items: SseItem[]; incomplete: boolean } {
  const decoder = new SseDecoder();
  const items: SseItem[] = [];
  for (const chunk of chunks) for (const item of decoder.push(chunk)) items.push(item);
  const end = decoder.end();
  return { items: [...items, ...end.items], incomplete: end.incomplete };
}

function fixed(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function cutAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [0, ...cuts, bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
}

function randomCuts(random: () => number, length: number, count: number): number[] {
  return Array.from({ length: count }, () => Math.floor(random() * (length + 1))).sort((a, b) => a - b);
}

/**
 * The fixture with every LF replaced by `eol` (the simulator writes LF only; JSON payloads hold no raw LF), and
 * optionally every data line doubled, so that events span two lines and a line break counted twice would show.
 */
function convert(bytes: Uint8Array, eol: string, doubled = false): Uint8Array {
  let text = new TextDecoder().decode(bytes);
  if (doubled) text = text.replace(/^data: (.*)$/gm, 'data: $1\ndata: $1');
  return new TextEncoder().encode(text.replaceAll('\n', eol));
}

function doubledItems(items: SseItem[]): SseItem[] {
  return items.map((item) =>
    item.type === 'event' ? { type: 'event', event: { data: `${item.event.data}\n${item.event.data}` } } : item,
  );
}

const events = (items: SseItem[]) => items.flatMap((item) => (item.type === 'event' ? [item.event] : []));

describe.each(manifest.fixtures)('fixture $name', ({ name, file, facts }) => {
  const bytes = new Uint8Array(readFileSync(new URL(file, FIXTURES)));
  const reference = decodeChunks([bytes]);

  it('decodes to what the manifest says', () => {
    expect(reference.incomplete, 'every recorded body ends with a blank line').toBe(false);
    const all = events(reference.items);
    expect(
      all.every((event) => Object.keys(event).join() === 'data'),
      'only data: fields',
    ).toBe(true);
    const done = all.filter((event) => event.data === '[DONE]');
    expect(done).toHaveLength(facts.done ? 1 : 0);
    if (facts.done) expect(all.at(-1)?.data).toBe('[DONE]');
    const frames = all.filter((event) => event.data !== '[DONE]');
    expect(frames).toHaveLength(facts.dataFrames);

    const parsed: any[] = [];
    let malformed = 0;
    for (const frame of frames) {
      try {
        parsed.push(JSON.parse(frame.data));
      } catch {
        malformed++;
      }
    }
    expect(malformed, 'unparseable data frames').toBe(facts.malformedFrames);

    const comments = reference.items.filter((item) => item.type === 'comment');
    if (facts.comments === null) expect(comments.length).toBeGreaterThan(0);
    else expect(comments).toHaveLength(facts.comments);
    expect(comments.every((item) => item.text === 'OPENROUTER PROCESSING')).toBe(true);

    // Decoding must not have touched a byte of the payloads (multi-byte UTF-8 included): the content deltas
    // still add up to the manifest's text.
    if (facts.text !== null) {
      const text = parsed.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('');
      expect(text).toBe(facts.text);
    }
  });

  it('gives the same items whole, byte by byte, in 64-byte pieces and at random cuts', () => {
    expect(decodeChunks(fixed(bytes, 1))).toEqual(reference);
    expect(decodeChunks(fixed(bytes, 64))).toEqual(reference);
    const seed = SEED ^ hash(name);
    const random = prng(seed);
    for (let trial = 0; trial < 20; trial++) {
      const cuts = randomCuts(random, bytes.length, 50);
      const result = decodeChunks(cutAt(bytes, cuts));
      expect(result, `SSE_SEED=${SEED} (fixture seed ${seed}), trial ${trial}, cuts ${cuts.join(',')}`).toEqual(
        reference,
      );
    }
  });

  it.each([
    ['LF', '\n', true],
    ['CRLF', '\r\n', false],
    ['CRLF', '\r\n', true],
    ['CR', '\r', false],
    ['CR', '\r', true],
  ])('decodes a %s copy (data lines doubled: %s) to the same items, in any chunking', (_name, eol, doubled) => {
    const copy = convert(bytes, eol, doubled);
    const expected = doubled ? { ...reference, items: doubledItems(reference.items) } : reference;
    expect(decodeChunks([copy])).toEqual(expected);
    expect(decodeChunks(fixed(copy, 1))).toEqual(expected);
    expect(decodeChunks(fixed(copy, 64))).toEqual(expected);
    const seed = SEED ^ hash(`${name}${eol}${doubled}`);
    const random = prng(seed);
    for (let trial = 0; trial < 5; trial++) {
      const cuts = randomCuts(random, copy.length, 50);
      expect(decodeChunks(cutAt(copy, cuts)), `SSE_SEED=${SEED} (seed ${seed}), cuts ${cuts.join(',')}`).toEqual(
        expected,
      );
    }
  });

  it('reports a body cut anywhere inside an event as incomplete, and one cut between events as complete', () => {
    const text = new TextDecoder().decode(bytes);
    const seed = SEED ^ hash(`${name}:truncate`);
    const random = prng(seed);
    const frameEnds = [...text.matchAll(/\n\n/g)].map((match) => match.index + 2);
    const points = [...randomCuts(random, bytes.length, 50), ...frameEnds, ...frameEnds.map((end) => end - 1)];
    for (const cut of points) {
      const prefix = bytes.subarray(0, cut);
      const prefixText = new TextDecoder().decode(prefix);
      // Independent model: after the last blank line, anything but complete comment lines is a cut event.
      const lastBlank = prefixText.lastIndexOf('\n\n');
      const rest = lastBlank < 0 ? prefixText : prefixText.slice(lastBlank + 2);
      const expected = rest !== '' && !/^(:[^\n]*\n)+$/.test(rest);
      const result = decodeChunks(fixed(prefix, 64));
      expect(result.incomplete, `SSE_SEED=${SEED} (seed ${seed}), cut at byte ${cut}`).toBe(expected);
      const complete = reference.items.filter((item) => item.type === 'event').length;
      expect(events(result.items).length).toBeLessThanOrEqual(complete);
    }
  });
});

/** FNV-1a, so each fixture gets its own stream of cut points from one seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
