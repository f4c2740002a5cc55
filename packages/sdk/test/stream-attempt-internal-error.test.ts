import { describe, expect, it } from 'vitest';
import { streamAttempt } from '../src/chat/stream-attempt.js';
import { ConnectionError, StreamError, type SwitchyardError, UnexpectedResponseError } from '../src/index.js';
import { RequestLifetime } from '../src/transport/signals.js';
import { frames, streamPieces, useNastyUpstream } from './nasty-upstream-helpers.js';

// What the stream reader throws when its own processing fails on what the upstream sent (here: the cost of the
// finished answer cannot be worked out). It was reported as a retryable "Connection failed: …" ConnectionError,
// blaming the network for a problem with the answer.

const { upstream } = useNastyUpstream();

async function attempt(cost: () => Promise<never>): Promise<unknown> {
  const lifetime = new RequestLifetime();
  const open = async () => ({
    response: await fetch(`${upstream.baseURL}/chat/completions`, { method: 'POST', signal: lifetime.signal }),
    lifetime,
    startedAt: Date.now(),
  });
  try {
    for await (const _batch of streamAttempt({ open, cost }, new AbortController().signal));
  } catch (error) {
    return error;
  }
  throw new Error('the attempt did not fail');
}

describe('an internal failure while reading a stream', () => {
  it('is an unexpected response (with the partial output), never a connection error', async () => {
    upstream.handler = streamPieces(frames());
    const error = await attempt(() => Promise.reject(new TypeError("Cannot read properties of null (reading 'x')")));
    expect(error).toBeInstanceOf(StreamError);
    const { cause, partial, message } = error as StreamError;
    expect(cause).toBeInstanceOf(UnexpectedResponseError);
    expect(cause).not.toBeInstanceOf(ConnectionError);
    expect((cause as SwitchyardError).code).toBe('unexpected_response');
    expect(message).toContain('The stream could not be read: Cannot read properties of null');
    expect(message).not.toContain('Connection failed');
    expect(partial?.text).toBe('Hello ☃ 🎉');
  });
});
