import { type LogLevel, launchGateway } from '../../server/serve-gateway.js';

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
  const gateway = await launchGateway({ ...flags, logLevel: flags.logLevel as LogLevel | undefined });
  const { config } = gateway.services;
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
