/**
 * @switchyard/gateway — the OpenAI/OpenRouter-compatible gateway and the `switchyard` CLI (bin/switchyard.js).
 * The CLI is the usual way to run it; `serveGateway` starts the same server inside a Node process (tests, an app
 * that embeds it).
 */
export type { SimulatorOptions } from '@switchyard/simulator';
export { type LogLevel, type RunningGateway, type ServeGatewayOptions, serveGateway } from './server/serve-gateway.js';

export const GATEWAY_VERSION = '0.1.0';
