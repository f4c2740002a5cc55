import { loadConfig } from '@switchyard/sdk/config';
import { resolveGatewayConfig } from '../../config/gateway-config.js';
import { startGateway } from '../../server/start-gateway.js';

// The implementation of `switchyard serve` (commands/serve.ts defines the command): fastify, pino and the stores
// load from here, only when the gateway is started.

export interface ServeFlags {
  host?: string;
  port?: number;
  config?: string;
  db?: string;
  insecureNoAuth?: boolean;
  logLevel?: string;
}

/** The gateway, until SIGINT/SIGTERM (then a graceful shutdown). */
export async function runServe(flags: ServeFlags): Promise<void> {
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
}
