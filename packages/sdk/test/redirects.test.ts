import { describe, expect, it } from 'vitest';
import { useLoopbackUpstream } from '../../../test/support/loopback-upstream.js';
import { Switchyard, SwitchyardError } from '../src/index.js';

/**
 * A base URL that redirects (http → https, a moved path) is a configuration problem, not a bad request or a bad key:
 * the error says where the redirect points, and nothing is retried.
 */

const upstream = useLoopbackUpstream();
const client = () => new Switchyard({ apiKey: 'sk-or-v1-redirects', baseURL: upstream.baseURL, env: {} });
const chat = () =>
  client()
    .chat({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    .then(
      () => undefined,
      (error: unknown) => error as SwitchyardError,
    );

describe('redirects from the base URL', () => {
  it('names the redirect when fetch followed it into an error (a POST turned into a GET)', async () => {
    upstream.handler = (req, res) => {
      if (req.method === 'POST') {
        res.writeHead(301, { location: '/api/v2/chat/completions', 'content-length': '0' });
        return void res.end();
      }
      res.writeHead(405, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 405, message: 'Method Not Allowed' } }));
    };
    const error = await chat();
    expect(error).toBeInstanceOf(SwitchyardError);
    expect(error?.message).toContain('Method Not Allowed');
    expect(error?.message).toContain(`after a redirect to ${upstream.baseURL.replace('/v1', '/v2')}/chat/completions`);
    expect(upstream.requests).toBe(2); // the POST and the GET fetch made of it; not retried
  });

  it('turns a redirect fetch did not follow into an unexpected_response that is not retried', async () => {
    upstream.handler = (_req, res) => {
      res.writeHead(308, { 'content-length': '0' }); // no Location: fetch hands the 3xx back
      res.end();
    };
    const error = await chat();
    expect(error?.code).toBe('unexpected_response');
    expect(error?.status).toBe(308);
    expect(error?.message).toBe(
      '/chat/completions answered HTTP 308, a redirect to (no location): point the base URL at the address it redirects to',
    );
    expect(upstream.requests).toBe(1);
  });
});
