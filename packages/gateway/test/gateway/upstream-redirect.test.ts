import { describe, expect, it } from 'vitest';
import { post, useGatewayOverUpstream } from '../support/gateway.js';

// An upstream base URL that redirects (http → https, a moved host) is the operator's to fix: the client gets a 502
// that says where the redirect points — not a 400 blaming its request — and the gateway does not retry it.

let posts = 0;
const setup = useGatewayOverUpstream((_req, res) => {
  posts++;
  res.writeHead(307, { location: 'https://openrouter.example/api/v1/chat/completions', 'content-length': '0' });
  res.end();
});

describe('an upstream that redirects', () => {
  it('is a 502 unexpected_response naming the redirect, for chat and streams alike, tried once', async () => {
    for (const stream of [false, true]) {
      posts = 0;
      const res = await post(`${setup.gateway.baseURL}/chat/completions`, {
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        stream,
      });
      expect(res.status).toBe(502);
      const { error } = (await res.json()) as { error: { type: string; message: string } };
      expect(error.type).toBe('unexpected_response');
      expect(error.message).toContain('HTTP 307, a redirect to https://openrouter.example/api/v1/chat/completions');
      expect(posts).toBe(1);
    }
  });
});
