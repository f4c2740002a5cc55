/**
 * OpenRouter's providers that bill a cancelled stream for its whole completion: aborting the connection stops
 * neither generation nor billing there (reference §3.6; the others stop both at once). Names as OpenRouter writes
 * them in a chunk's `provider`, compared without case; a name of the reference's list and OpenRouter's display
 * name where they differ (AWS / Amazon Bedrock, Google / Google Vertex, ZeroOneAI / 01.AI).
 */
const BILLED_WHOLE = new Set(
  [
    'AWS Bedrock',
    'Amazon Bedrock',
    'Groq',
    'Modal',
    'Google',
    'Google Vertex',
    'Google AI Studio',
    'Minimax',
    'HuggingFace',
    'Hugging Face',
    'Replicate',
    'Perplexity',
    'Mistral',
    'AI21',
    'Featherless',
    'Lynn',
    'Lambda',
    'Reflection',
    'SambaNova',
    'Inflection',
    'ZeroOneAI',
    '01.AI',
    'AionLabs',
    'Alibaba',
    'Nebius',
    'Kluster',
    'Targon',
    'InferenceNet',
  ].map((name) => name.toLowerCase()),
);

/**
 * Whether `provider` bills a stream cancelled midway for all of it: a proxy whose client left gains nothing by
 * cancelling such a stream, and learns what it cost by reading it to the end.
 */
export function billsCancelledStreams(provider: string): boolean {
  return BILLED_WHOLE.has(provider.trim().toLowerCase());
}
