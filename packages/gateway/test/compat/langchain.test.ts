/**
 * LangChain's OpenAI integration (`@langchain/openai`), unchanged, against the gateway: invoke, stream with usage, a
 * tool round trip, structured output and embeddings — the gateway only by its base URL, as a LangChain user would
 * point it. Every request goes over loopback to 127.0.0.1.
 */
import { AIMessage, type AIMessageChunk, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { describe, expect, it } from 'vitest';
import { EMBEDDING_MODEL, MODEL, useCompatGateway, WEATHER_PARAMETERS } from './compat-gateway.js';

const { gateway } = useCompatGateway();

function chat(options: { model?: string } = {}): ChatOpenAI {
  return new ChatOpenAI({
    model: options.model ?? MODEL,
    apiKey: 'sk-placeholder',
    maxRetries: 0,
    configuration: { baseURL: gateway().baseURL },
  });
}

const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather for a city', parameters: WEATHER_PARAMETERS },
};

describe('LangChain (@langchain/openai) through the gateway', () => {
  it('invoke: content, token usage and the served model', async () => {
    const message = await chat().invoke('Say exactly: Hello from LangChain');
    expect(message.content).toBe('Hello from LangChain');
    expect(message.usage_metadata?.input_tokens).toBeGreaterThan(0);
    expect(message.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(message.usage_metadata?.total_tokens).toBe(
      (message.usage_metadata?.input_tokens ?? 0) + (message.usage_metadata?.output_tokens ?? 0),
    );
    expect(message.response_metadata.model_name).toBe(MODEL);
    expect(message.id).toMatch(/^gen-/);
  });

  it('stream: chunks concatenate to the answer, and the usage arrives', async () => {
    let whole: AIMessageChunk | undefined;
    let chunks = 0;
    for await (const chunk of await chat().stream('Say exactly: one two three four')) {
      chunks++;
      whole = whole ? whole.concat(chunk) : chunk;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(whole?.content).toBe('one two three four');
    expect(whole?.usage_metadata?.output_tokens).toBeGreaterThan(0);
  });

  it('tools: the model calls the bound tool, gets its result, and answers', async () => {
    const model = chat().bindTools([WEATHER_TOOL], { tool_choice: 'required' });
    const question = new HumanMessage('What is the weather in Paris, in celsius?');
    const call = await model.invoke([question]);
    expect(call.tool_calls).toHaveLength(1);
    const toolCall = call.tool_calls![0]!;
    expect(toolCall.name).toBe('get_weather');
    expect(typeof toolCall.args.city).toBe('string');
    expect(['celsius', 'fahrenheit']).toContain(toolCall.args.unit);
    const answer = await chat()
      .bindTools([WEATHER_TOOL])
      .invoke([
        question,
        new AIMessage({ content: '', tool_calls: call.tool_calls }),
        new ToolMessage({
          tool_call_id: toolCall.id!,
          content: JSON.stringify({ temperature: 21, conditions: 'sunny' }),
        }),
      ]);
    expect(answer.tool_calls ?? []).toHaveLength(0);
    expect(String(answer.content).length).toBeGreaterThan(0);
  });

  it('withStructuredOutput: an object that satisfies the JSON schema', async () => {
    const schema = {
      title: 'city',
      description: 'A city',
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1 },
        country: { type: 'string', minLength: 1 },
        population: { type: 'integer', minimum: 0 },
      },
      required: ['name', 'country', 'population'],
      additionalProperties: false,
    };
    const city = (await chat()
      .withStructuredOutput(schema, { method: 'jsonSchema', strict: true })
      .invoke('Describe one large city.')) as Record<string, unknown>;
    expect(Object.keys(city).sort()).toEqual(['country', 'name', 'population']);
    expect(typeof city.name).toBe('string');
    expect(Number.isInteger(city.population)).toBe(true);
  });

  it('embeddings: one vector per document and one for a query', async () => {
    const embeddings = new OpenAIEmbeddings({
      model: EMBEDDING_MODEL,
      apiKey: 'sk-placeholder',
      maxRetries: 0,
      configuration: { baseURL: gateway().baseURL },
    });
    const documents = await embeddings.embedDocuments(['first document', 'second document']);
    expect(documents).toHaveLength(2);
    expect(documents[0]!.length).toBeGreaterThan(100);
    expect(documents[0]).not.toEqual(documents[1]);
    const query = await embeddings.embedQuery('first document');
    expect(query).toEqual(documents[0]);
  });

  it('a request the gateway rejects surfaces as an error with its status and message', async () => {
    const failure = await chat({ model: 'nobody/nothing' })
      .invoke('Hi')
      .catch((error: unknown) => error as { status?: number; message?: string });
    expect(failure).toMatchObject({ status: 400 });
    expect(String((failure as { message?: string }).message)).toContain('nobody/nothing');
  });
});
