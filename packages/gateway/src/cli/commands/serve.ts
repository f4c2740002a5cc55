import type { Command } from 'commander';
import { parsePort } from '../parse-options.js';
import type { ServeFlags } from '../serve/run-serve.js';

/** `switchyard serve`: the gateway, until SIGINT/SIGTERM (then a graceful shutdown). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the OpenAI/OpenRouter-compatible gateway (HTTP + WebSocket, keys, limits, ledger, metrics)')
    .option('--host <host>', 'interface to bind (default 127.0.0.1; beyond loopback needs virtual keys)')
    .option('-p, --port <port>', 'port to listen on (default 8787; 0 = any free port)', parsePort)
    .option('-c, --config <file>', 'switchyard.toml to read (default ./switchyard.toml when present)')
    .option('--db <path>', 'SQLite ledger file (default .switchyard/switchyard.db; DATABASE_URL selects PostgreSQL)')
    .option('--insecure-no-auth', 'serve without virtual keys even on a public interface (dangerous)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default LOG_LEVEL, else info)')
    .addHelpText(
      'after',
      [
        '',
        'Upstream: OpenRouter when OPENROUTER_API_KEY is set (OPENROUTER_BASE_URL overrides the URL), otherwise the',
        'embedded simulator. Shared state in Redis when REDIS_URL is set. Admin API on with SWITCHYARD_ADMIN_TOKEN.',
      ].join('\n'),
    )
    .action(async (flags: ServeFlags) => {
      // The gateway (fastify, pino, the stores) loads only when it runs: every other command starts without it.
      const { runServe } = await import('../serve/run-serve.js');
      await runServe(flags);
    });
}
