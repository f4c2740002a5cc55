import type { FastifyError } from 'fastify';

/**
 * Fastify's own errors (body limit, bad JSON, wrong content type) as a status, a stable code and a message, for the
 * envelope of whichever route they happened on (OpenRouter's everywhere, Anthropic's on `/messages`).
 */
export function frameworkError(error: FastifyError): { status: number; code: string; message: string } {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'payload_too_large',
        message: `Request body is larger than the gateway's limit (${error.message.replace(/^.*?:\s*/, '')})`,
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'invalid_json', message: 'Request body is empty; expected a JSON object' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'unsupported_media_type', message: error.message };
    default:
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        return { status: 400, code: 'invalid_json', message: `Request body is not valid JSON: ${error.message}` };
      }
      return {
        status: error.statusCode && error.statusCode >= 400 ? error.statusCode : 500,
        code: error.code ?? 'server_error',
        message: error.message,
      };
  }
}
