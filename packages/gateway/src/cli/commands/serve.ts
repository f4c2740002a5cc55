import { loadConfig } from '@switchyard/sdk/config';
import type { Command } from 'commander';
import { resolveGatewayConfig } from '../../config/gateway-config.js';
import { startGateway } from '../../server/start-gateway.js';
import { parsePort } from '../parse-options.js';

interface ServeFlags {
  host?: string;
  port?: number;
  config?: string;
  db?: string;
  insecureNoAuth?: boolean;
  logLevel?: string;
}

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
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace (default info, or LOG_LEVEL)')
    .addHelpText(
      'after',
      [
        '',
        'Upstream: OpenRouter when OPENROUTER_API_KEY is set (OPENROUTER_BASE_URL overrides the URL), otherwise the',
        'embedded simulator. Shared state in Redis when REDIS_URL is set. Admin API on with SWITCHYARD_ADMIN_TOKEN.',
      ].join('\n'),
    )
    .action(async (flags: ServeFlags) => {
      const fileConfig = await loadConfig(flags.config);
      const config = resolveGatewayConfig({
        host: flags.host,
        port: flags.port,
        insecureNoAuth: flags.insecureNoAuth,
        sqlitePath: flags.db,
        fileConfig,
      });
      const gateway = await startGateway({ config, logLevel: flags.logLevel });
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          process.stderr.write(`switchyard: second ${signal}, exiting without waiting\n`);
          process.exit(1);
        }
        stopping = true;
        gateway.services.logger.info({ signal, graceMs: config.graceMs }, 'shutting down: finishing running requests');
        gateway.close().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`switchyard: shutdown failed: ${(error as Error).message}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
