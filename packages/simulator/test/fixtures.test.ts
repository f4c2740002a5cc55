/**
 * The checked-in SSE fixtures (fixtures/sse/) are what the simulator really emits, and their manifest facts are
 * true. Re-record with `npm run record-fixtures -w @switchyard/simulator` after an intended change.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type CaseExpectation,
  FIXTURE_CASES,
  FIXTURE_NOW_MS,
  FIXTURES_DIR,
  type FixtureFacts,
  MANIFEST_URL,
  RERECORD_HINT,
  SIMULATOR_CASES,
  sendFixtureRequest,
} from '../scripts/fixture-cases.js';
import { startSimulator } from '../src/index.js';

type Json = Record<string, any>;

interface ManifestEntry {
  name: string;
  file: string;
  source: 'simulator' | 'reference';
  description: string;
  options: Json | null;
  request: Json | null;
  response: { status: number; contentType: string; generationId?: string };
  golden: 'exact' | 'ignore-keepalive-comments' | 'none';
  facts: FixtureFacts;
}

const manifest = JSON.parse(readFileSync(MANIFEST_URL, 'utf8')) as { fixtures: ManifestEntry[] };
const entries = new Map(manifest.fixtures.map((entry) => [entry.name, entry]));

function fixtureBytes(name: string): Buffer {
  return readFileSync(new URL(`${name}.sse`, FIXTURES_DIR));
}

// ---------------------------------------------------------------------------------------------------------------
// A tiny frame splitter, independent of the recorder's: frames end with a blank line, `:` starts a comment, JSON
// follows `data: `. (The simulator and the reference transcript use LF only and one line per frame.)

type Frame = { kind: 'comment'; text: string } | { kind: 'done' } | { kind: 'data'; payload: string; json?: Json };

function splitFrames(raw: string): Frame[] {
  expect(raw.includes('\r'), 'fixtures use LF line ends only').toBe(false);
  expect(raw.endsWith('\n\n'), 'the body ends with a complete frame').toBe(true);
  const out: Frame[] = [];
  for (const block of raw.slice(0, -2).split('\n\n')) {
    expect(block.includes('\n'), `one line per frame: ${block.slice(0, 60)}`).toBe(false);
    if (block.startsWith(':')) out.push({ kind: 'comment', text: block.slice(1).trim() });
    else if (block === 'data: [DONE]') out.push({ kind: 'done' });
    else {
      expect(block.startsWith('data: '), `only comments and data: frames (no event:), got ${block.slice(0, 60)}`).toBe(
        true,
      );
      const payload = block.slice(6);
      let json: Json | undefined;
      try {
        json = JSON.parse(payload) as Json;
      } catch {
        json = undefined;
      }
      out.push(json ? { kind: 'data', payload, json } : { kind: 'data', payload });
    }
  }
  return out;
}

function chunksOf(frames: Frame[]): Json[] {
  return frames.flatMap((f) => (f.kind === 'data' && f.json ? [f.json] : []));
}

function deltas(chunks: Json[]): Json[] {
  return chunks.flatMap((c) => ((c.choices ?? []) as Json[]).map((choice) => (choice.delta ?? {}) as Json));
}

function factsOf(frames: Frame[], timedComments: boolean): FixtureFacts {
  const chunks = chunksOf(frames);
  const ds = deltas(chunks);
  const choices = chunks.flatMap((c) => (c.choices ?? []) as Json[]);
  const errorChunk = chunks.find((c) => c.error);
  const usageChunk = chunks.find((c) => c.usage);
  const reasoningParts = ds.map((d) => d.reasoning).filter((r): r is string => typeof r === 'string');
  const details: FixtureFacts['reasoningDetails'] = [];
  for (const detail of ds.flatMap((d) => (d.reasoning_details ?? []) as Json[])) {
    const fields = ['text', 'summary', 'signature', 'data', 'id'].filter(
      (f) => detail[f] !== undefined && detail[f] !== null,
    );
    const last = details[details.length - 1];
    if (last && last.type === detail.type && last.fields.join() === fields.join()) last.count++;
    else details.push({ type: detail.type, fields, count: 1 });
  }
  const calls = new Map<number, FixtureFacts['toolCalls'][number]>();
  for (const call of ds.flatMap((d) => (d.tool_calls ?? []) as Json[])) {
    const entry = calls.get(call.index) ?? { index: call.index, id: null, name: null, arguments: '' };
    calls.set(call.index, entry);
    if (call.id) entry.id = call.id;
    if (call.function?.name) entry.name = call.function.name;
    entry.arguments += call.function?.arguments ?? '';
  }
  const finishes = choices.filter((c) => c.finish_reason != null);
  const natives = choices.filter((c) => c.native_finish_reason != null);
  const u = usageChunk?.usage as Json | undefined;
  const usageChoices = (usageChunk?.choices ?? []) as Json[];
  return {
    done: frames[frames.length - 1]?.kind === 'done',
    id: chunks[0]?.id ?? null,
    provider: chunks[0]?.provider ?? null,
    model: chunks[0]?.model ?? null,
    comments: timedComments ? null : frames.filter((f) => f.kind === 'comment').length,
    dataFrames: frames.filter((f) => f.kind === 'data').length,
    malformedFrames: frames.filter((f) => f.kind === 'data' && !f.json).length,
    text: ds.map((d) => (typeof d.content === 'string' ? d.content : '')).join(''),
    reasoning: reasoningParts.length > 0 ? reasoningParts.join('') : null,
    reasoningDetails: details,
    toolCalls: [...calls.values()],
    finishReason: finishes[finishes.length - 1]?.finish_reason ?? null,
    nativeFinishReason: natives[natives.length - 1]?.native_finish_reason ?? null,
    error: errorChunk
      ? {
          code: errorChunk.error.code,
          message: errorChunk.error.message,
          errorType: errorChunk.error.metadata?.error_type ?? null,
        }
      : null,
    errorForm: errorChunk ? ((errorChunk.choices ?? []).length === 0 ? 'three-chunk' : 'single') : null,
    usage: u
      ? {
          prompt_tokens: u.prompt_tokens,
          completion_tokens: u.completion_tokens,
          total_tokens: u.total_tokens,
          reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? null,
          cached_tokens: u.prompt_tokens_details?.cached_tokens ?? null,
          cost: u.cost ?? null,
        }
      : null,
    usageChunk: usageChunk
      ? usageChoices.length === 0
        ? 'no-choices'
        : usageChoices[0]?.finish_reason != null
          ? 'with-finish'
          : 'empty-choice'
      : null,
  };
}

/** Shape rules every fixture must follow (reference §3.4–3.5). */
function checkInvariants(name: string, frames: Frame[], facts: FixtureFacts): void {
  const chunks = chunksOf(frames);
  const doneAt = frames.findIndex((f) => f.kind === 'done');
  if (doneAt >= 0) expect(doneAt, `${name}: [DONE] is the last frame`).toBe(frames.length - 1);
  for (const chunk of chunks) {
    expect(chunk.object, name).toBe('chat.completion.chunk');
    expect(chunk.id, `${name}: every chunk repeats the id`).toBe(facts.id);
    expect(chunk.provider, name).toBe(facts.provider);
    expect(chunk.model, name).toBe(facts.model);
    expect(chunk.created, name).toBe(chunks[0]?.created);
    expect(Array.isArray(chunk.choices), `${name}: choices is always an array`).toBe(true);
  }
  expect(facts.id, name).toMatch(/^gen-\d{10}-[A-Za-z0-9]{20}$/);
  expect(
    chunks.filter((c) => c.usage),
    `${name}: usage is sent at most once`,
  ).toHaveLength(facts.usage ? 1 : 0);
  expect(
    chunks.filter((c) => c.error),
    `${name}: at most one error chunk`,
  ).toHaveLength(facts.error ? 1 : 0);
  const withFinish = chunks.filter((c) => (c.choices as Json[]).some((choice) => choice.finish_reason != null));
  expect(withFinish.length, `${name}: at most one finish chunk`).toBeLessThanOrEqual(1);
  if (facts.usage) {
    const u = facts.usage;
    expect(u.total_tokens, `${name}: total = prompt + completion`).toBe(u.prompt_tokens + u.completion_tokens);
    expect(u.completion_tokens).toBeGreaterThanOrEqual(u.reasoning_tokens ?? 0);
    expect(typeof u.cost === 'number' && u.cost >= 0, `${name}: cost is a non-negative number`).toBe(true);
    expect(chunks[chunks.length - 1]?.usage, `${name}: usage rides on the last chunk`).toBeDefined();
  }
  if (facts.error) {
    const chunk = chunks.find((c) => c.error) as Json;
    expect(Number.isInteger(chunk.error.code), `${name}: error.code is an integer`).toBe(true);
    expect(typeof chunk.error.message, name).toBe('string');
    expect(typeof chunk.error.metadata?.error_type, `${name}: error.metadata.error_type is a string`).toBe('string');
    expect(facts.finishReason, `${name}: an in-band error finishes with "error"`).toBe('error');
  } else if (facts.done) {
    expect(facts.finishReason, `${name}: a completed stream has a finish_reason`).not.toBeNull();
    expect(facts.usage, `${name}: a completed stream reports usage`).not.toBeNull();
  }
  if (facts.finishReason === 'tool_calls') {
    expect(facts.toolCalls.length).toBeGreaterThan(0);
    for (const call of facts.toolCalls) {
      expect(call.id, `${name}: tool call ids`).toMatch(/^(call_|toolu_)/);
      expect(() => JSON.parse(call.arguments), `${name}: complete tool arguments are JSON`).not.toThrow();
    }
  }
}

function checkExpectation(name: string, facts: FixtureFacts, want: CaseExpectation): void {
  const m = (what: string) => `${name}: ${what}`;
  if (want.done !== undefined) expect(facts.done, m('[DONE] present')).toBe(want.done);
  if (want.text !== undefined) expect(facts.text, m('assembled text')).toBe(want.text);
  if (want.finishReason !== undefined) expect(facts.finishReason, m('finish_reason')).toBe(want.finishReason);
  if (want.nativeFinishReason !== undefined) {
    expect(facts.nativeFinishReason, m('native_finish_reason')).toBe(want.nativeFinishReason);
  }
  if (want.usageChunk !== undefined) expect(facts.usageChunk, m('usage chunk shape')).toBe(want.usageChunk);
  if (want.toolNames !== undefined) {
    expect(
      facts.toolCalls.map((c) => c.name),
      m('tool names'),
    ).toEqual(want.toolNames);
  }
  if (want.errorCode !== undefined) expect(facts.error?.code ?? null, m('error code')).toBe(want.errorCode);
  if (want.errorForm !== undefined) expect(facts.errorForm, m('error form')).toBe(want.errorForm);
  if (want.malformedFrames !== undefined) expect(facts.malformedFrames, m('malformed')).toBe(want.malformedFrames);
  if (want.comments !== undefined) expect(facts.comments, m('comments')).toBe(want.comments);
  if (want.completionTokens !== undefined) {
    expect(facts.usage?.completion_tokens, m('completion tokens')).toBe(want.completionTokens);
  }
  if (want.cost !== undefined) expect(facts.usage?.cost, m('cost')).toBe(want.cost);
  if (want.reasoning !== undefined) expect((facts.reasoning ?? '') !== '', m('reasoning text')).toBe(want.reasoning);
  if (want.textIsJson) expect(() => JSON.parse(facts.text), m('content is JSON')).not.toThrow();
  const seen = facts.reasoningDetails.map((d) => `${d.type}[${d.fields.join(',')}]`);
  for (const detail of want.reasoningDetails ?? []) expect(seen, m('reasoning_details')).toContain(detail);
}

/** A byte-exact comparison that points at the first difference and says how to re-record. */
function expectSameBytes(name: string, actual: Buffer, expected: Buffer, note = ''): void {
  if (actual.equals(expected)) return;
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  const around = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, at - 40), at + 40).toString('utf8'));
  const message =
    `fixtures/sse/${name}.sse no longer matches what the simulator emits${note} ` +
    `(first difference at byte ${at}; fresh ${actual.length} bytes, checked-in ${expected.length} bytes).\n` +
    `  fresh:      ${around(actual)}\n  checked-in: ${around(expected)}\n${RERECORD_HINT}`;
  expect(actual.toString('utf8'), message).toBe(expected.toString('utf8'));
  expect.fail(message);
}

const stripComments = (b: Buffer) => Buffer.from(b.toString('utf8').replace(/^:[^\n]*\n\n/gm, ''), 'utf8');

// ---------------------------------------------------------------------------------------------------------------

describe('SSE fixtures: manifest', () => {
  it('lists every case of scripts/fixture-cases.ts with its current options and request', () => {
    expect(
      manifest.fixtures.map((e) => e.name),
      `manifest.json is stale. ${RERECORD_HINT}`,
    ).toEqual(FIXTURE_CASES.map((c) => c.name));
    for (const fixture of FIXTURE_CASES) {
      const entry = entries.get(fixture.name) as ManifestEntry;
      const stale = `manifest.json entry ${fixture.name} is stale. ${RERECORD_HINT}`;
      expect(entry.source, stale).toBe(fixture.source);
      expect(entry.file, stale).toBe(`${fixture.name}.sse`);
      expect(entry.description, stale).toBe(fixture.description);
      if (fixture.source === 'simulator') {
        expect(entry.options, stale).toEqual({ ...fixture.options, nowMs: FIXTURE_NOW_MS });
        expect(entry.request, stale).toEqual(fixture.request);
        expect(entry.golden, stale).toBe(fixture.golden);
      } else {
        expect(entry.golden, stale).toBe('none');
      }
    }
  });

  it('has exactly one .sse file per manifest entry', () => {
    const files = readdirSync(FIXTURES_DIR)
      .filter((f) => f.endsWith('.sse'))
      .sort();
    expect(files, `stray or missing fixture files. ${RERECORD_HINT}`).toEqual(
      manifest.fixtures.map((e) => e.file).sort(),
    );
  });
});

describe('SSE fixtures: facts', () => {
  for (const fixture of FIXTURE_CASES) {
    it(`${fixture.name}: parses, follows the stream rules and matches its manifest facts`, () => {
      const entry = entries.get(fixture.name) as ManifestEntry;
      const frames = splitFrames(fixtureBytes(fixture.name).toString('utf8'));
      const facts = factsOf(frames, entry.golden === 'ignore-keepalive-comments');
      expect(facts, `manifest facts of ${fixture.name} disagree with the .sse file. ${RERECORD_HINT}`).toEqual(
        entry.facts,
      );
      checkInvariants(fixture.name, frames, facts);
      checkExpectation(fixture.name, facts, fixture.expect);
      expect(entry.response).toMatchObject({ status: 200, contentType: 'text/event-stream' });
      if (fixture.source === 'simulator') {
        expect(chunksOf(frames)[0]?.created).toBe(FIXTURE_NOW_MS / 1000);
        expect(entry.response.generationId).toBe(facts.id);
      }
      if (entry.golden === 'ignore-keepalive-comments') {
        expect(
          frames.filter((f) => f.kind === 'comment').length,
          'the stall recording carries keep-alives',
        ).toBeGreaterThan(1);
      }
    });
  }
});

describe('SSE fixtures: golden (a fresh simulator emits the checked-in bytes)', () => {
  for (const fixture of SIMULATOR_CASES) {
    it(fixture.name, async () => {
      // A fresh simulator per case: generation ids depend on the request order within one instance.
      const sim = await startSimulator({ ...fixture.options, now: () => FIXTURE_NOW_MS });
      try {
        const res = await sendFixtureRequest(sim.url, fixture);
        const entry = entries.get(fixture.name) as ManifestEntry;
        expect(res.status, RERECORD_HINT).toBe(entry.response.status);
        expect(res.contentType, RERECORD_HINT).toBe(entry.response.contentType);
        expect(res.generationId, RERECORD_HINT).toBe(entry.response.generationId);
        const expected = fixtureBytes(fixture.name);
        if (fixture.golden === 'ignore-keepalive-comments') {
          expectSameBytes(fixture.name, stripComments(res.body), stripComments(expected), ' (comment frames removed)');
        } else {
          expectSameBytes(fixture.name, res.body, expected);
        }
      } finally {
        await sim.close();
      }
    });
  }
});
