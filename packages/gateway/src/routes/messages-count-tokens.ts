import { estimateRequestTokens } from '@switchyard/sdk/context';
import type { FastifyInstance } from 'fastify';
import { anthropicErrors } from '../dialects/messages-errors.js';
import { translateMessagesRequest } from '../dialects/messages-request.js';
import { authenticate } from '../http/auth.js';
import type { GatewayServices } from '../server/services.js';
import { validateChatBody } from './admission.js';
import { catalogRow } from './catalog-row.js';
import { sendError } from './replies.js';

/**
 * `POST /messages/count_tokens` (the Anthropic SDK's `messages.countTokens`, which Claude Code calls too): the
 * request's input tokens as the gateway estimates them — the same estimate admission reserves budgets with, in the
 * model's tokenizer family — since neither chat completions nor OpenRouter offer a count. Authenticated like
 * `/messages`, but no model is called: not rate-limited, budgeted or recorded.
 */
export function countTokensRoute(
  app: FastifyInstance,
  services: GatewayServices,
  prefix: string,
  named: (name: string) => boolean,
): void {
  app.post(`${prefix}/messages/count_tokens`, async (request, reply) => {
    try {
      await authenticate(request, services);
      const { chat } = translateMessagesRequest(request.body, named);
      validateChatBody(chat);
      const model = (chat.model as string | undefined) ?? services.upstream.sy.config.defaultModel;
      const row = model ? await catalogRow(services, model) : undefined;
      return { input_tokens: estimateRequestTokens(chat as never, row?.architecture.tokenizer).total };
    } catch (error) {
      return sendError(reply, error, {}, anthropicErrors(request.id));
    }
  });
}
