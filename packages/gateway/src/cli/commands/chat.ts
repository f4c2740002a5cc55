import type { Command } from 'commander';
import type { ChatOptions } from '../chat/run-chat.js';

// The definition of `switchyard chat` only: loaded by every `switchyard` run (for the help), so the implementation
// (chat/run-chat.ts, with the SDK, the REPL and @clack/prompts) is imported by the action.

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
      const { runChat } = await import('../chat/run-chat.js');
      await runChat(words, options, verbose);
    });
}
