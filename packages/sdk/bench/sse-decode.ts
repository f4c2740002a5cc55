/**
 * CPU cost of SSE decoding per event: `SseDecoder` against the naive decoder everyone writes first.
 *
 *   node --import tsx packages/sdk/bench/sse-decode.ts [events] [--json]
 *
 * Input: ~230-byte `data:` events shaped like OpenRouter `chat.completion.chunk` lines, all-ASCII (English) and
 * non-ASCII (Chinese + emoji) content, pre-encoded (building chunks is not timed), fed 1 event per push, 50 events
 * per push, and in 64-byte pieces that cut events anywhere. `--json` also times decode + `JSON.parse` of each data.
 * Budget: SseDecoder ≤ 1.5× the naive decoder per event; the exit code is 1 when a case is over it.
 */
import { SseDecoder } from '../src/sse/decoder.js';

const EVENTS = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200_000);
const WITH_JSON = process.argv.includes('--json');
const RUNS = 5;
const BUDGET = 1.5;
/** English tokens (all ASCII: V8 keeps one-byte strings) and Chinese/emoji tokens (every chunk is non-ASCII). */
const CONTENTS = {
  ascii: [' the', ' latency', ' of', ' each', ' hop', ' matters', ',', ' so', ' measure', ' it', '.'],
  'non-ascii': ['你好', '，', '延迟', '很', '重要', ' 👋🏽', '。', ' Grüße', ' —', '测量'],
};

function eventLine(words: string[], i: number): string {
  const chunk = {
    id: 'gen-1780000000-zJ3HgjAAdDi99NnDMm7p',
    provider: 'OpenAI',
    model: 'openai/gpt-4o-mini',
    object: 'chat.completion.chunk',
    created: 1780000000,
    choices: [{ index: 0, delta: { content: words[i % words.length] }, finish_reason: null }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

interface Decoder {
  push(chunk: Uint8Array): unknown[];
}

/** What a first attempt looks like: decode (streaming, to survive split code points), split on blank lines. */
class NaiveDecoder implements Decoder {
  readonly #decoder = new TextDecoder();
  #buffer = '';
  push(chunk: Uint8Array): string[] {
    this.#buffer += this.#decoder.decode(chunk, { stream: true });
    const frames = this.#buffer.split('\n\n');
    this.#buffer = frames.pop() ?? '';
    const out: string[] = [];
    for (const frame of frames) if (frame.startsWith('data: ')) out.push(frame.slice(6));
    return out;
  }
}

const encoder = new TextEncoder();

/** The same stream in three chunkings: one event per push, 50 per push, and 64-byte pieces cutting anywhere. */
function shapes(words: string[]): [string, Uint8Array[]][] {
  const texts = Array.from({ length: EVENTS }, (_, i) => eventLine(words, i));
  const batches: Uint8Array[] = [];
  for (let i = 0; i < EVENTS; i += 50) batches.push(encoder.encode(texts.slice(i, i + 50).join('')));
  const whole = encoder.encode(texts.join(''));
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < whole.length; i += 64) pieces.push(whole.slice(i, i + 64));
  return [
    [`1 event/push (~${Math.round(whole.length / EVENTS)} B)`, texts.map((text) => encoder.encode(text))],
    ['50 events/push', batches],
    ['64-byte pieces', pieces],
  ];
}

type Mode = 'decode' | 'decode+JSON.parse';

function payload(item: unknown): string {
  return typeof item === 'string' ? item : (item as { event: { data: string } }).event.data;
}

/** CPU µs per event of one full pass over `chunks`, median of RUNS after a warm-up pass. */
function measure(make: () => Decoder, chunks: Uint8Array[], mode: Mode): number {
  const samples: number[] = [];
  let sink = 0;
  for (let run = 0; run <= RUNS; run++) {
    const decoder = make();
    const start = process.cpuUsage();
    let count = 0;
    for (const chunk of chunks) {
      for (const item of decoder.push(chunk)) {
        const data = payload(item);
        sink += mode === 'decode' ? data.length : (JSON.parse(data) as { created: number }).created & 1;
        count++;
      }
    }
    const used = process.cpuUsage(start);
    if (count !== EVENTS) throw new Error(`decoded ${count} events, expected ${EVENTS}`);
    if (run > 0) samples.push((used.user + used.system) / EVENTS);
  }
  if (sink < 0) console.log(sink);
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

console.log(`SSE decode, ${EVENTS} events, node ${process.version}, CPU µs/event (median of ${RUNS} runs)`);
console.log('content    shape                   mode                SseDecoder       naive   ratio');
let overBudget = false;
const modes: Mode[] = WITH_JSON ? ['decode', 'decode+JSON.parse'] : ['decode'];
for (const [content, words] of Object.entries(CONTENTS)) {
  for (const [shape, chunks] of shapes(words)) {
    for (const mode of modes) {
      const ours = measure(() => new SseDecoder(), chunks, mode);
      const naive = measure(() => new NaiveDecoder(), chunks, mode);
      const ratio = ours / naive;
      if (ratio > BUDGET) overBudget = true;
      const numbers = `${ours.toFixed(3).padStart(10)} ${naive.toFixed(3).padStart(11)} ${ratio.toFixed(2).padStart(6)}×`;
      console.log(`${content.padEnd(10)} ${shape.padEnd(23)} ${mode.padEnd(17)} ${numbers}`);
    }
  }
}
console.log(
  overBudget ? `OVER BUDGET: some case is above ${BUDGET}× the naive decoder` : `within budget (≤ ${BUDGET}×)`,
);
if (overBudget) process.exitCode = 1;
