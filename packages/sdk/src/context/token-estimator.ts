/**
 * A fast, dependency-free token estimator per tokenizer family: one pass counts character classes and runs
 * (`char-classes.ts`), per-family weights turn the counts into tokens (`families.ts`). Good enough to decide
 * whether a prompt fits a context window and to pick a pruning budget; not a tokenizer.
 *
 * Accuracy (GPT family) against the simulator's `prompt_tokens`, measured by test/context-estimator-accuracy.test.ts.
 * The simulator charges a flat ⌈UTF-8 bytes / 4⌉ per text (+4 per message, +3 priming, 85 per image); we model
 * BPE, so on prose we agree and where real tokenizers are denser than 4 bytes per token we count more, on purpose:
 *
 *   case                 kind     simulator  estimate      Δ     case                 kind   simulator estimate    Δ
 *   short hello          chat            11        12   +9.1%    JSON minified        json         171      207 +21.1%
 *   system + question    chat            49        49   +0.0%    json_schema format   json          72       81 +12.5%
 *   long English         prose         1365      1289   -5.6%    Chinese              cjk           34       36  +5.9%
 *   English letter       prose           84        89   +6.0%    Japanese             cjk           40       43  +7.5%
 *   multi-turn chat      chat           123       128   +4.1%    Korean               cjk           30       32  +6.7%
 *   long agent turn      chat           859       845   -1.6%    emoji heavy          emoji         23       28 +21.7%
 *   image low detail     chat           107       108   +0.9%    tools defined        tools        140      164 +17.1%
 *   two images low       chat           187       187   +0.0%    tool call + result   tools        257      286 +11.3%
 *   mixed everything     chat           240       231   -3.8%    image auto detail    image¹       101      781  +0.0%
 *   TypeScript code      code           148       177  +19.6%
 *   Python code          code           116       137  +18.1%
 *   JSON pretty          json           110       134  +21.8%    ¹ after taking out 765 − 85 per high-detail image
 *
 * Prose and chat: within ±10% (mean |Δ| 3.5%). Code +18–20% and JSON/tool definitions +11–22%: o200k averages
 * ≈ 3–3.5 characters per token on them, not 4. CJK +6–8%: the simulator's 3 bytes / 4 = 0.75 per character happens
 * to sit near real tokenizers (≈ 0.7–1 per character), but only by coincidence of UTF-8 widths; we do not chase it.
 * Emoji: we charge 1.5 (common ones are 1 token, others 2–3), the simulator 1. Images at `auto`/`high` detail: we
 * charge 765 (four 512-px tiles + base), the simulator a flat 85. The test asserts these bands per kind.
 * Against real tokenizers this is not measured here (no tokenizer ships with the repository): the weights follow
 * published characters-per-token figures, so treat ±15% on text as the working assumption and media as flat
 * guesses (see `families.ts`).
 */

import type { ContentPart, Message } from '../protocol/messages.js';
import { countCharsCached } from './count-cache.js';
import { type FamilyProfile, profileOf } from './families.js';

/** The catalog's `architecture.tokenizer` value: GPT, Claude, Gemini, Llama3, Qwen, … (case-insensitive). */
export type TokenizerFamily = string;

/**
 * Latin-script weights at 4.0 characters per token (GPT/o200k on English), before family scaling. A word costs
 * 0.6 plus 0.15 per letter (≈1.3 for an average 4.7-letter word: common words are one token, long ones split); a
 * punctuation run 0.85 plus 0.1 per character (`,` ≈ 1, `","` ≈ 1.15); a whitespace break (newline, indentation)
 * one token, while a single space before a word is free (`" the"` is one token). Calibrated on English prose
 * (≈ 4.0 chars/token), TypeScript and Python (≈ 3.3–3.6) and JSON (≈ 2.9–3.2), the ratios o200k shows.
 */
const WORD = 0.6;
const LETTER = 0.15;
const PUNCT_RUN = 0.85;
const PUNCT = 0.1;
const BREAK = 1;

/** Tokens of a tool call beyond its name and arguments (`to=functions.name`, JSON wrapper, end marker). */
const TOOL_CALL = 3;

function textTokens(text: string, profile: FamilyProfile): number {
  if (!text) return 0;
  const c = countCharsCached(text);
  const scale = 4 / profile.english;
  const latin = WORD * c.words + LETTER * c.letters + PUNCT_RUN * c.punctRuns + PUNCT * c.punct + BREAK * c.breaks;
  const digits = profile.singleDigits ? c.digits : c.digitGroups;
  const tokens = latin * scale + digits + profile.cjk * c.cjk + profile.other * c.other + profile.emoji * c.emoji;
  return Math.max(1, Math.ceil(tokens));
}

/** Estimated tokens of `text` for a tokenizer family (unknown or missing family: a pessimistic default). */
export function estimateTextTokens(text: string, family?: TokenizerFamily): number {
  return textTokens(text, profileOf(family));
}

/** Text as text; anything else a request may hold instead (arguments as an object) as its JSON; nothing as 0. */
function anyTokens(value: unknown, profile: FamilyProfile): number {
  if (typeof value === 'string') return textTokens(value, profile);
  return value == null ? 0 : jsonTokens(value, profile);
}

function jsonTokens(value: unknown, profile: FamilyProfile): number {
  try {
    return textTokens(JSON.stringify(value) ?? '', profile);
  } catch {
    return 0; // cyclic or BigInt: the request could not be sent as JSON either
  }
}

function partTokens(part: ContentPart | { type?: unknown; text?: unknown }, profile: FamilyProfile): number {
  switch (part.type) {
    case 'text':
      return typeof part.text === 'string' ? textTokens(part.text, profile) : 0;
    case 'image_url': {
      const detail = (part as { image_url?: { detail?: string } }).image_url?.detail;
      return detail === 'low' ? profile.image.low : profile.image.high;
    }
    case 'input_audio':
      return profile.audio;
    case 'file':
      return profile.file;
    case 'video_url':
    case 'input_video':
      return profile.video;
    default:
      // A part type we do not know yet: count its text if it has any, never base64 payloads.
      return typeof part.text === 'string' ? textTokens(part.text, profile) : 0;
  }
}

function contentTokens(content: unknown, profile: FamilyProfile): number {
  if (typeof content === 'string') return textTokens(content, profile);
  if (!Array.isArray(content)) return 0;
  let sum = 0;
  for (const part of content) {
    if (typeof part === 'string') sum += textTokens(part, profile);
    else if (typeof part === 'object' && part !== null) sum += partTokens(part, profile);
  }
  return sum;
}

/**
 * One message with its framing. Ids are counted (Anthropic shows them to the model; elsewhere they are a small
 * overcount on the safe side). `reasoning`/`reasoning_details` are not: providers strip replayed reasoning from
 * earlier turns or pass it encrypted outside the context count.
 */
function messageTokens(message: Message, profile: FamilyProfile): number {
  let tokens = profile.perMessage + contentTokens(message.content, profile);
  if (typeof message.name === 'string' && message.name) tokens += textTokens(message.name, profile) + 1;
  // A request's own odd shapes (tool_calls that is no list, a null call, an id that is no string) are estimated at
  // what they hold, not crashed on: the upstream judges the request (a 400), the estimate only prices it.
  if (message.role === 'assistant') {
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        if (!call || typeof call !== 'object') continue;
        tokens += TOOL_CALL + anyTokens(call.id, profile);
        tokens += anyTokens(call.function?.name, profile) + anyTokens(call.function?.arguments, profile);
      }
    }
    if (Array.isArray(message.images)) for (const image of message.images) tokens += image ? profile.image.high : 0;
  } else if (message.role === 'tool') {
    tokens += anyTokens(message.tool_call_id, profile);
  }
  return tokens;
}

/** Tokens outside `messages`: reply priming, tool definitions and a `json_schema` response format. */
function requestOverhead(request: { tools?: unknown[]; response_format?: unknown }, profile: FamilyProfile): number {
  let tokens = profile.priming;
  if (Array.isArray(request.tools) && request.tools.length > 0) {
    tokens += profile.tools + jsonTokens(request.tools, profile);
  }
  const format = request.response_format as { type?: unknown; json_schema?: unknown } | undefined;
  if (format?.type === 'json_schema') tokens += jsonTokens(format.json_schema ?? {}, profile);
  return tokens;
}

/**
 * Tokens of a chat request as the provider will count them: per-message framing (GPT: 4 per message + 3 to
 * prime the reply; other families per `families.ts`), text parts, flat per-image/audio/file/video estimates,
 * tool definitions (their JSON plus the family's tool preamble), a `json_schema` response format, assistant
 * `tool_calls` (id, name, arguments) and tool results. `perMessage[i]` is message i's share, framing included;
 * `total` adds priming, tools and response format.
 */
export function estimateRequestTokens(
  request: { messages: Message[]; tools?: unknown[]; response_format?: unknown },
  family?: TokenizerFamily,
): { total: number; perMessage: number[] } {
  const profile = profileOf(family);
  const perMessage = request.messages.map((message) => messageTokens(message, profile));
  let total = requestOverhead(request, profile);
  for (const tokens of perMessage) total += tokens;
  return { total, perMessage };
}
