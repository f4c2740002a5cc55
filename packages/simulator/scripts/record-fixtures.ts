/**
 * Records the SSE fixtures of `scripts/fixture-cases.ts` into `fixtures/sse/` and writes `manifest.json`.
 *
 *   npm run record-fixtures -w @switchyard/simulator
 *
 * Every case gets a fresh simulator (fixed seed, pinned clock) so generation ids do not depend on case order.
 * Hand-written (`source: "reference"`) fixtures are not touched, only described in the manifest.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { startSimulator } from '../src/index.js';
import {
  type CaseExpectation,
  FIXTURE_CASES,
  FIXTURE_NOW_MS,
  FIXTURES_DIR,
  type FixtureCase,
  type FixtureFacts,
  MANIFEST_URL,
  sendFixtureRequest,
} from './fixture-cases.js';

type Json = Record<string, any>;

/** Derives the manifest facts of one SSE body (the test re-derives them with its own splitter). */
function deriveFacts(raw: string, timedComments: boolean): FixtureFacts {
  const facts: FixtureFacts = {
    done: false,
    id: null,
    provider: null,
    model: null,
    comments: 0,
    dataFrames: 0,
    malformedFrames: 0,
    text: '',
    reasoning: null,
    reasoningDetails: [],
    toolCalls: [],
    finishReason: null,
    nativeFinishReason: null,
    error: null,
    errorForm: null,
    usage: null,
    usageChunk: null,
  };
  let comments = 0;
  for (const frame of raw.split('\n\n')) {
    if (frame === '') continue;
    facts.done = false;
    if (frame.startsWith(':')) {
      comments++;
      continue;
    }
    if (!frame.startsWith('data: ')) throw new Error(`unexpected frame ${JSON.stringify(frame.slice(0, 80))}`);
    const payload = frame.slice(6);
    if (payload === '[DONE]') {
      facts.done = true;
      continue;
    }
    facts.dataFrames++;
    let chunk: Json;
    try {
      chunk = JSON.parse(payload) as Json;
    } catch {
      facts.malformedFrames++;
      continue;
    }
    facts.id ??= chunk.id ?? null;
    facts.provider ??= chunk.provider ?? null;
    facts.model ??= chunk.model ?? null;
    const choices = (chunk.choices ?? []) as Json[];
    if (chunk.error) {
      facts.error = {
        code: chunk.error.code,
        message: chunk.error.message,
        errorType: chunk.error.metadata?.error_type ?? null,
      };
      facts.errorForm = choices.length === 0 ? 'three-chunk' : 'single';
    }
    if (chunk.usage) {
      const u = chunk.usage as Json;
      facts.usage = {
        prompt_tokens: u.prompt_tokens,
        completion_tokens: u.completion_tokens,
        total_tokens: u.total_tokens,
        reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? null,
        cached_tokens: u.prompt_tokens_details?.cached_tokens ?? null,
        cost: u.cost ?? null,
      };
      facts.usageChunk =
        choices.length === 0 ? 'no-choices' : choices[0]?.finish_reason != null ? 'with-finish' : 'empty-choice';
    }
    for (const choice of choices) {
      const delta = (choice.delta ?? {}) as Json;
      if (typeof delta.content === 'string') facts.text += delta.content;
      if (typeof delta.reasoning === 'string') facts.reasoning = (facts.reasoning ?? '') + delta.reasoning;
      for (const detail of (delta.reasoning_details ?? []) as Json[]) {
        const fields = ['text', 'summary', 'signature', 'data', 'id'].filter((f) => detail[f] != null);
        const last = facts.reasoningDetails.at(-1);
        if (last && last.type === detail.type && last.fields.join() === fields.join()) last.count++;
        else facts.reasoningDetails.push({ type: detail.type, fields, count: 1 });
      }
      for (const call of (delta.tool_calls ?? []) as Json[]) {
        let entry = facts.toolCalls.find((c) => c.index === call.index);
        if (!entry) {
          entry = { index: call.index, id: null, name: null, arguments: '' };
          facts.toolCalls.push(entry);
        }
        if (call.id) entry.id = call.id;
        if (call.function?.name) entry.name = call.function.name;
        if (typeof call.function?.arguments === 'string') entry.arguments += call.function.arguments;
      }
      if (choice.finish_reason != null) facts.finishReason = choice.finish_reason;
      if (choice.native_finish_reason != null) facts.nativeFinishReason = choice.native_finish_reason;
    }
  }
  facts.comments = timedComments ? null : comments;
  return facts;
}

const stripComments = (raw: string) => raw.replace(/^:[^\n]*\n\n/gm, '');

/** Fails the recording when a case's hand-written expectations do not hold. */
function checkExpectations(name: string, facts: FixtureFacts, expect: CaseExpectation): void {
  const problems: string[] = [];
  const same = (label: string, actual: unknown, wanted: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
      problems.push(`${label}: expected ${JSON.stringify(wanted)}, got ${JSON.stringify(actual)}`);
    }
  };
  if (expect.done !== undefined) same('done', facts.done, expect.done);
  if (expect.text !== undefined) same('text', facts.text, expect.text);
  if (expect.finishReason !== undefined) same('finishReason', facts.finishReason, expect.finishReason);
  if (expect.nativeFinishReason !== undefined) {
    same('nativeFinishReason', facts.nativeFinishReason, expect.nativeFinishReason);
  }
  if (expect.usageChunk !== undefined) same('usageChunk', facts.usageChunk, expect.usageChunk);
  if (expect.toolNames !== undefined) {
    same(
      'toolNames',
      facts.toolCalls.map((c) => c.name),
      expect.toolNames,
    );
  }
  if (expect.errorCode !== undefined) same('errorCode', facts.error?.code ?? null, expect.errorCode);
  if (expect.errorForm !== undefined) same('errorForm', facts.errorForm, expect.errorForm);
  if (expect.malformedFrames !== undefined) same('malformedFrames', facts.malformedFrames, expect.malformedFrames);
  if (expect.comments !== undefined) same('comments', facts.comments, expect.comments);
  if (expect.completionTokens !== undefined) {
    same('completionTokens', facts.usage?.completion_tokens, expect.completionTokens);
  }
  if (expect.cost !== undefined) same('cost', facts.usage?.cost, expect.cost);
  if (expect.reasoning !== undefined) same('reasoning', (facts.reasoning ?? '') !== '', expect.reasoning);
  if (expect.textIsJson) {
    try {
      JSON.parse(facts.text);
    } catch {
      problems.push(`textIsJson: not JSON: ${facts.text}`);
    }
  }
  for (const wanted of expect.reasoningDetails ?? []) {
    const seen = facts.reasoningDetails.map((d) => `${d.type}[${d.fields.join(',')}]`);
    if (!seen.includes(wanted)) problems.push(`reasoningDetails: ${wanted} not among ${seen.join(' ')}`);
  }
  if (problems.length > 0) throw new Error(`fixture ${name} does not show what it should:\n  ${problems.join('\n  ')}`);
}

/**
 * JSON as Biome formats it (so `biome check .` accepts the manifest): two-space indent, objects expanded, arrays
 * of scalars on one line when they fit in 120 columns.
 */
function formatJson(value: unknown, indent = '', lead = 0, tail = 0): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) {
      const flat = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
      if (lead + flat.length + tail <= 120) return flat;
    }
    const items = value.map((v, i) => `${inner}${formatJson(v, inner, inner.length, i < value.length - 1 ? 1 : 0)}`);
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([key, v], i) => {
    const head = `${inner}${JSON.stringify(key)}: `;
    return `${head}${formatJson(v, inner, head.length, i < entries.length - 1 ? 1 : 0)}`;
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

async function record(fixture: FixtureCase): Promise<Json> {
  const file = new URL(`${fixture.name}.sse`, FIXTURES_DIR);
  if (fixture.source === 'reference') {
    const raw = await readFile(file, 'utf8');
    const facts = deriveFacts(raw, false);
    checkExpectations(fixture.name, facts, fixture.expect);
    return {
      name: fixture.name,
      file: `${fixture.name}.sse`,
      source: 'reference',
      description: fixture.description,
      origin: fixture.origin,
      options: null,
      request: null,
      response: { status: 200, contentType: 'text/event-stream' },
      golden: 'none',
      facts,
    };
  }
  const sim = await startSimulator({ ...fixture.options, now: () => FIXTURE_NOW_MS });
  try {
    const res = await sendFixtureRequest(sim.url, fixture);
    if (res.status !== 200)
      throw new Error(`fixture ${fixture.name}: HTTP ${res.status}: ${res.body.toString('utf8')}`);
    const timed = fixture.golden === 'ignore-keepalive-comments';
    let body = res.body;
    if (timed) {
      // Keep the checked-in file when only the timer-driven comment count changed, so re-recording stays diff-free.
      const old = await readFile(file).catch(() => undefined);
      if (old && stripComments(old.toString('utf8')) === stripComments(body.toString('utf8'))) body = old;
    }
    await writeFile(file, body);
    const facts = deriveFacts(body.toString('utf8'), timed);
    checkExpectations(fixture.name, facts, fixture.expect);
    if (res.generationId !== facts.id) {
      throw new Error(`fixture ${fixture.name}: x-generation-id ${res.generationId} differs from chunk id ${facts.id}`);
    }
    return {
      name: fixture.name,
      file: `${fixture.name}.sse`,
      source: 'simulator',
      description: fixture.description,
      options: { ...fixture.options, nowMs: FIXTURE_NOW_MS },
      request: fixture.request,
      response: { status: res.status, contentType: res.contentType, generationId: res.generationId },
      golden: fixture.golden,
      facts,
    };
  } finally {
    await sim.close();
  }
}

async function main(): Promise<void> {
  const entries: Json[] = [];
  for (const fixture of FIXTURE_CASES) {
    const entry = await record(fixture);
    entries.push(entry);
    const facts = entry.facts as FixtureFacts;
    console.log(
      `${fixture.name.padEnd(30)} ${fixture.source.padEnd(9)} finish=${facts.finishReason} done=${facts.done} ` +
        `error=${facts.error?.code ?? '-'} usage=${facts.usage?.total_tokens ?? '-'}`,
    );
  }
  const manifest = {
    description:
      'Recorded OpenRouter-style SSE bodies for replay tests. Regenerate with `npm run record-fixtures -w ' +
      '@switchyard/simulator`; see ../README.md.',
    version: 1,
    recordedWith: {
      simulator: '@switchyard/simulator',
      nowMs: FIXTURE_NOW_MS,
      note: 'one fresh simulator per fixture, started with `options` plus `now: () => nowMs`',
    },
    fixtures: entries,
  };
  await writeFile(MANIFEST_URL, `${formatJson(manifest)}\n`);
  console.log(`wrote ${entries.length} fixtures and manifest.json to ${FIXTURES_DIR.pathname}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
