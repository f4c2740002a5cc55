import type { Model } from '@switchyard/sdk';
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
 * The catalog row whose tokenizer counts for `model`. A model the catalog does not list is refused as `/messages`
 * refuses it (Anthropic's 404 `not_found_error`, code `invalid_model`), rather than counted: a client that counts
 * before it sends learns then, not on the send. The caller's own names (`[aliases]`, `[models]`, possibly on
 * another provider) and OpenRouter presets (`@preset/…`) are not catalog ids and are counted in the default family;
 * so is any model while the catalog cannot be read (the count is an estimate either way).
 */
async function countingRow(
  services: GatewayServices,
  model: string,
  named: (name: string) => boolean,
): Promise<Model | undefined> {
  if (named(model) || model.includes('@')) return catalogRow(services, model);
  const { models } = services.upstream.sy;
  // Waited for as admission waits (at most the catalog's consulting wait); with the list in memory, `get` answers
  // from it — the row, or the InvalidModelError /messages refuses with.
  if (!(await models.consultList())) return undefined;
  return models.get(model);
}

/**
 * `POST /messages/count_tokens` (the Anthropic SDK's `messages.countTokens`, which Claude Code calls too): the
 * request's input tokens as the gateway estimates them — the same estimate admission reserves budgets with, in the
 * model's tokenizer family — since neither chat completions nor OpenRouter offer a count. Authenticated like
 * `/messages`, but no model is called: not rate-limited, budgeted or recorded. Its answers carry the `request-id`
 * header (and `x-request-id`) as `/messages` answers do, where the Anthropic SDKs read a request id from.
 */
export function countTokensRoute(
  app: FastifyInstance,
  services: GatewayServices,
  prefix: string,
  named: (name: string) => boolean,
): void {
  app.post(`${prefix}/messages/count_tokens`, async (request, reply) => {
    reply.header('request-id', request.id).header('x-request-id', request.id);
    try {
      await authenticate(request, services);
      const { chat } = translateMessagesRequest(request.body, named);
      validateChatBody(chat);
      const model = (chat.model as string | undefined) ?? services.upstream.sy.config.defaultModel;
      const row = model ? await countingRow(services, model, named) : undefined;
      return { input_tokens: estimateRequestTokens(chat as never, row?.architecture.tokenizer).total };
    } catch (error) {
      return sendError(reply, error, {}, anthropicErrors(request.id));
    }
  });
}
