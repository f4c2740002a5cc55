import type { IncomingHttpHeaders } from 'node:http';

/**
 * The Anthropic beta flags of a Messages request, as OpenRouter takes them: its `x-anthropic-beta` header, the flags
 * comma-separated (reference §1.3). Anthropic clients send `anthropic-beta` (the SDK's `betas`, Claude Code's
 * `interleaved-thinking-…`, `fine-grained-tool-streaming-…`); a client written for OpenRouter may already send
 * `x-anthropic-beta`. Both are read, repeated flags sent once. They matter upstream: without
 * `structured-outputs-2025-11-13` OpenRouter strips `strict` from Anthropic tools, without `interleaved-thinking-…`
 * Claude does not think between tool calls. Undefined when the request has none.
 */
export function anthropicBetaFlags(headers: IncomingHttpHeaders): string | undefined {
  const flags = new Set<string>();
  for (const name of ['anthropic-beta', 'x-anthropic-beta']) {
    const value = headers[name];
    for (const line of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      for (const flag of line.split(',')) if (flag.trim() !== '') flags.add(flag.trim());
    }
  }
  return flags.size > 0 ? [...flags].join(',') : undefined;
}
