import { type ChatResult, SwitchyardError } from '@switchyard/sdk';
import type { Command } from 'commander';
import { type ChatFlags, resolveStartModel, sentence } from '../chat/chat-flags.js';
import { chatConfig, checkProvider } from '../chat/clients.js';
import { runRepl } from '../chat/repl.js';
import { describeTurnError, isAbort, partialOf, runTurn, statsLine, type TurnRequest } from '../chat/turn.js';
import { FailureExit, UsageError } from '../support/exit-codes.js';
import { createOutput, type Output } from '../support/output.js';
import { openCliClient } from '../support/sdk-client.js';

interface ChatOptions extends Omit<ChatFlags, 'verbose'> {
  config?: string;
}

const EXAMPLES = `
Examples:
  switchyard chat                                   interactive: provider menu, model picker, then chat
  switchyard chat "Explain SSE in one sentence"     one answer, streamed to stdout
  switchyard chat -m anthropic/claude-sonnet-4.5 -s "Answer in French" "Hello"
  git diff | switchyard chat -s "Review this diff"  the prompt from stdin
  switchyard chat --json "Say exactly: hi" | jq .cost.usd
  switchyard chat --provider local -m llama3.1:8b "hi"   a [providers.local] entry of switchyard.toml

One answer: the text goes to stdout, then tokens, cost and the served model to stderr (--json: one JSON object on
stdout with text, model, provider, usage, cost and generationId). Without OPENROUTER_API_KEY the offline
simulator answers, and says so on stderr.

In the chat: /model [id], /provider [name], /system [text], /clear, /cost, /save FILE (.json or Markdown),
/help, /exit. Ctrl+C stops a streaming answer; Ctrl+C or Ctrl+D at the prompt ends the chat.`;

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

/** `switchyard chat [prompt]`: one answer for a prompt (argument or stdin), or the interactive chat in a terminal. */
export function registerChat(program: Command): void {
  program
    .command('chat')
    .description('chat with a model: one answer for a prompt, or an interactive chat in a terminal')
    .argument('[prompt...]', 'the message (words are joined); none: read stdin, or start the interactive chat')
    .option('-m, --model <id>', 'model id, checked against the catalog (default: the configured default model)')
    .option('-s, --system <text>', 'system prompt')
    .option('-p, --provider <name>', 'openrouter, simulator or a [providers.<name>] entry of switchyard.toml')
    .option('--json', 'print the answer as one JSON object (text, model, provider, usage, cost, generationId)')
    .option('--no-stream', 'ask for the whole answer at once instead of streaming it')
    .option('-c, --config <file>', 'switchyard.toml to read')
    .addHelpText('after', EXAMPLES)
    .action(async (words: string[], options: ChatOptions, command: Command) => {
      const verbose = Boolean(command.optsWithGlobals().verbose);
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
    });
}
