import type { Model } from '../protocol/catalog.js';
import type { ChatRequest } from '../protocol/chat.js';
import type { PreflightProblem } from './routing-errors.js';

/** Request features and the `supported_parameters` that must contain one of the names to serve them. */
const FEATURES: [string, (r: ChatRequest) => boolean, string[]][] = [
  ['tools', (r) => Array.isArray(r.tools) && r.tools.length > 0, ['tools']],
  [
    'tool_choice',
    (r) => r.tool_choice !== undefined && r.tool_choice !== 'none' && Array.isArray(r.tools) && r.tools.length > 0,
    ['tool_choice'],
  ],
  [
    'response_format json_schema',
    (r) => r.response_format?.type === 'json_schema',
    ['structured_outputs', 'response_format'],
  ],
  ['response_format', (r) => r.response_format?.type === 'json_object', ['response_format', 'structured_outputs']],
  [
    'reasoning',
    (r) =>
      (r.reasoning != null && r.reasoning.effort !== 'none' && r.reasoning.enabled !== false) ||
      r.include_reasoning === true ||
      (r.reasoning_effort !== undefined && r.reasoning_effort !== 'none'),
    ['reasoning', 'include_reasoning', 'reasoning_effort'],
  ],
  ['logprobs', (r) => r.logprobs === true || r.top_logprobs !== undefined, ['logprobs', 'top_logprobs']],
  ['web_search_options', (r) => r.web_search_options !== undefined, ['web_search_options']],
  ['verbosity', (r) => r.verbosity !== undefined, ['verbosity']],
];

/** A map, not an object: a part typed `constructor` or `toString` must find nothing here. */
const PART_MODALITY = new Map([
  ['image_url', 'image'],
  ['input_audio', 'audio'],
  ['video_url', 'video'],
  ['input_video', 'video'],
]);

/**
 * What in `request` the model's catalog entry says it cannot take: a prompt that does not fit the context, a
 * parameter outside `supported_parameters`, an input modality it lacks. Files (PDFs) are not checked: OpenRouter
 * parses them for any model. Checks whose catalog data is missing are skipped.
 */
export function preflightProblems(request: ChatRequest, model: Model, promptTokens: number): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const context = model.context_length ?? model.top_provider.context_length ?? undefined;
  const output = request.max_completion_tokens ?? request.max_tokens ?? 0;
  if (context && promptTokens + output > context) {
    problems.push({
      kind: 'context',
      detail: `about ${promptTokens} prompt tokens${output ? ` + ${output} max_tokens` : ''} exceed the ${context}-token context of ${model.id}`,
    });
  }
  if (model.supported_parameters.length > 0) {
    for (const [feature, used, names] of FEATURES) {
      if (used(request) && !names.some((n) => model.supported_parameters.includes(n))) {
        problems.push({ kind: 'parameter', detail: `${model.id} does not support ${feature}` });
      }
    }
  }
  const inputs = model.architecture.input_modalities;
  const needed = new Set<string>();
  for (const message of request.messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) {
      // A part that is no object is the upstream's to refuse (400 naming it), not the preflight's to crash on.
      const modality = PART_MODALITY.get((part as { type?: string } | null)?.type as string);
      if (modality) needed.add(modality);
    }
  }
  for (const modality of needed) {
    if (!inputs.includes(modality))
      problems.push({ kind: 'modality', detail: `${model.id} does not accept ${modality} input` });
  }
  return problems;
}
