import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../server/services.js';

const htmlEscape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `/`: the dashboard's placeholder (the dashboard is a later piece of work). It says which upstream answers — the
 * embedded simulator is announced loudly, so nobody mistakes simulated answers for real ones — and how to call in.
 */
export function homeRoutes(app: FastifyInstance, services: GatewayServices): void {
  app.get('/', async (_request, reply) => {
    const simulated = services.upstream.simulator !== undefined;
    const open = await services.openAccess();
    const banner = simulated
      ? '<p class="sim"><strong>Simulator mode.</strong> No <code>OPENROUTER_API_KEY</code> is set, so every answer comes from the embedded OpenRouter simulator: simulated models, simulated prices, no real spend.</p>'
      : `<p>Upstream: ${htmlEscape(services.upstream.description)}.</p>`;
    const base = '/api/v1';
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>switchyard gateway</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d232a}
code,pre{background:#f2f4f6;border-radius:4px;padding:.1rem .3rem}pre{padding:.8rem;overflow:auto}
.sim{background:#fff4d6;border:1px solid #e8c66a;padding:.8rem;border-radius:6px}</style></head>
<body><h1>switchyard gateway</h1>
${banner}
<p>Access: ${open ? 'open (no virtual keys exist and the gateway listens on loopback only)' : 'virtual key required (<code>Authorization: Bearer sk-sy-…</code>)'}.</p>
<p>Point any OpenAI or OpenRouter client at <code id="base">${base}</code> on this host.</p>
<pre>curl -s localhost:${services.config.port}${base}/chat/completions -H 'content-type: application/json' \\
  -d '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'</pre>
<ul><li><a href="${base}/models">${base}/models</a> — the model catalog</li>
<li><a href="/readyz">/readyz</a> — readiness of upstream, ledger and shared state</li>
<li><a href="/metrics">/metrics</a> — Prometheus metrics</li>
<li><code>/ws</code> — the WebSocket chat protocol</li></ul>
<p>The full dashboard arrives in a later release.</p>
</body></html>`;
    return reply.type('text/html; charset=utf-8').send(html);
  });
}
