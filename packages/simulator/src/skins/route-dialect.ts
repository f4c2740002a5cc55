import type { IncomingMessage } from 'node:http';
import type { ErrorSender } from '../chat/serve-chat.js';
import { bearerToken, sendError } from '../http/io.js';
import { sendAnthropicError } from './anthropic-error.js';

/** How a route takes its key and words its errors, from the 401 on: OpenRouter's way, or the Messages skin's. */
export interface RouteDialect {
  token(req: IncomingMessage): string;
  fail: ErrorSender;
}

const OPENROUTER: RouteDialect = { token: bearerToken, fail: sendError };

/** The Anthropic SDK and tools built on it (Claude Code) may send the key as `x-api-key` instead of a bearer. */
const ANTHROPIC: RouteDialect = {
  token(req) {
    const header = req.headers['x-api-key'];
    return bearerToken(req) || (typeof header === 'string' ? header.trim() : '');
  },
  fail: sendAnthropicError,
};

export function dialectOf(path: string): RouteDialect {
  return path === '/messages' ? ANTHROPIC : OPENROUTER;
}
