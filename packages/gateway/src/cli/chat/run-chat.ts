import { type ChatResult, SwitchyardError } from '@switchyard/sdk';
import { FailureExit, UsageError } from '../support/exit-codes.js';
import { createOutput, type Output } from '../support/output.js';
import { openCliClient } from '../support/sdk-client.js';
import { type ChatFlags, resolveStartModel, sentence } from './chat-flags.js';
import { chatConfig, checkProvider } from './clients.js';
import { runRepl } from './repl.js';
import { describeTurnError, isAbort, partialOf, runTurn, statsLine, type TurnRequest } from './turn.js';

// The implementation of `switchyard chat` (commands/chat.ts defines the command): the SDK client, the REPL and
// @clack/prompts load from here, only when a chat runs.

export interface ChatOptions extends Omit<ChatFlags, 'verbose'> {
  config?: string;
}

/** All of stdin as text (for `… | switchyard chat`). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The JSON object `--json` prints. */
export function resultJson(result: ChatResult, backend: string, streamed: boolean) {
  return {
    text: result.text,
    model: result.model,
    requestedModel: result.requestedModel ?? null,
    provider: result.provider ?? null,
    backend,
    generationId: result.generationId,
    finishReason: result.finishReason,
    usage: result.usage,
    cost: result.cost,
    timing: result.timing,
    stream: streamed,
    ...(result.reasoning ? { reasoning: result.reasoning } : {}),
  };
}

/** One prompt, one answer: streamed to stdout (or printed whole with --no-stream, or as JSON), stats on stderr. */
async function oneShot(prompt: string, options: ChatOptions, verbose: boolean, output: Output): Promise<void> {
  if (options.provider) checkProvider(await chatConfig(options), options.provider);
  const client = await openCliClient(options, output, options.provider ? { provider: options.provider } : {});
  const controller = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  let atLineStart = true;
  try {
    const { sy } = client;
    const model = options.model ? (await resolveStartModel(sy, options.model, output)).id : undefined;
    const request: TurnRequest = {
      model,
      messages: [
        ...(options.system ? [{ role: 'system' as const, content: options.system }] : []),
        { role: 'user', content: prompt },
      ],
    };
    const json = Boolean(options.json);
    const result = await runTurn(sy, request, {
      stream: options.stream,
      signal: controller.signal,
      onText: json
        ? undefined
        : (piece) => {
            if (piece === '') return;
            process.stdout.write(piece);
            atLineStart = piece.endsWith('\n');
          },
    });
    if (json) {
      output.json(resultJson(result, sy.providerName, options.stream));
      return;
    }
    if (!atLineStart) process.stdout.write('\n');
    output.err(output.dim(statsLine(result)));
  } catch (error) {
    if (!atLineStart) process.stdout.write('\n');
    if (error instanceof UsageError) throw error;
    if (interrupted || isAbort(error)) throw new FailureExit('Stopped by Ctrl+C before the answer was complete.');
    // Errors from the SDK keep their class (and so their exit code); a broken-off answer also names what arrived.
    if (error instanceof SwitchyardError && partialOf(error)?.text) {
      // main.ts prints the cause and the stack with --verbose; the code is added here.
      const code = verbose ? ` [${error.code}]` : '';
      throw new FailureExit(`${sentence(describeTurnError(error, false))}${code}`, { cause: error.cause ?? error });
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    await client.close();
  }
}

/** One answer for a prompt (argument or stdin), else the interactive chat when stdin and stdout are a terminal. */
export async function runChat(words: string[], options: ChatOptions, verbose: boolean): Promise<void> {
  const output = createOutput();
  let prompt = words.join(' ');
  if (prompt.trim() === '' && !process.stdin.isTTY) prompt = await readStdin();
  if (prompt.trim() !== '') return oneShot(prompt.trim(), options, verbose, output);
  if (words.length > 0 || !process.stdin.isTTY) throw new UsageError('The prompt is empty.');
  if (options.json) throw new UsageError('--json needs a prompt (as an argument or on stdin).');
  if (!process.stdout.isTTY) {
    throw new UsageError(
      'No prompt: give one as an argument or on stdin; the interactive chat needs a terminal on stdout.',
    );
  }
  await runRepl({ ...options, verbose }, output);
}
