/**
 * The simulator's documented token estimator (README "Token counts"): about four UTF-8 bytes per token, four
 * tokens of framing per message, three to prime the reply, a fixed charge per image/audio/file part, and the
 * JSON of tool definitions. Real tokenizers differ per model; the point is that counts are stable and plausible.
 */

const IMAGE_TOKENS = 85;
const AUDIO_TOKENS = 200;
const FILE_TOKENS = 500;

export function textTokens(text: string): number {
  if (text.length === 0) return 0;
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
}

function partTokens(part: unknown): number {
  if (typeof part === 'string') return textTokens(part);
  if (typeof part !== 'object' || part === null) return 0;
  const p = part as Record<string, unknown>;
  switch (p.type) {
    case 'text':
      return typeof p.text === 'string' ? textTokens(p.text) : 0;
    case 'image_url':
      return IMAGE_TOKENS;
    case 'input_audio':
      return AUDIO_TOKENS;
    case 'file':
    case 'video_url':
    case 'input_video':
      return FILE_TOKENS;
    default:
      return 0;
  }
}

/** Tokens of one message's content (string or parts). */
export function contentTokens(content: unknown): number {
  if (typeof content === 'string') return textTokens(content);
  if (Array.isArray(content)) {
    let sum = 0;
    for (const part of content) sum += partTokens(part);
    return sum;
  }
  return 0;
}

/** Tokens of one message including its framing, name and tool calls. */
export function messageTokens(message: Record<string, unknown>): number {
  let tokens = 4 + contentTokens(message.content);
  if (typeof message.name === 'string') tokens += textTokens(message.name);
  if (Array.isArray(message.tool_calls)) tokens += textTokens(JSON.stringify(message.tool_calls));
  return tokens;
}

/** Number of image parts in the prompt (priced per image where the model charges for images). */
export function countImages(messages: readonly Record<string, unknown>[]): number {
  let images = 0;
  for (const message of messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) if ((part as { type?: unknown })?.type === 'image_url') images++;
  }
  return images;
}

/** Prompt tokens of a chat request, plus the running total after each message (for prompt caching). */
export function promptTokens(request: Record<string, unknown>): { total: number; cumulative: number[] } {
  const messages = (request.messages ?? []) as Record<string, unknown>[];
  const cumulative: number[] = [];
  let total = 3;
  if (Array.isArray(request.tools) && request.tools.length > 0) total += textTokens(JSON.stringify(request.tools));
  const format = request.response_format as { type?: string; json_schema?: unknown } | undefined;
  if (format?.type === 'json_schema') total += textTokens(JSON.stringify(format.json_schema ?? {}));
  for (const message of messages) {
    total += messageTokens(message);
    cumulative.push(total);
  }
  return { total, cumulative };
}
