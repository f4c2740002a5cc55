/**
 * @switchyard/gateway — the OpenAI/OpenRouter-compatible gateway and the `switchyard` CLI.
 * The gateway server lands with its own issue; today this package ships the CLI (`switchyard simulate`).
 */
export const GATEWAY_VERSION = '0.1.0';
