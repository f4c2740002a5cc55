import type { Output } from '../support/output.js';
import type { Conversation } from './conversation.js';
import { didYouMeanText } from './did-you-mean.js';
import type { SessionTotals } from './session-totals.js';
import { saveTranscript, type TranscriptDocument } from './transcript.js';

/** What the slash commands can see and change of a running chat. */
export interface ChatControls {
  readonly output: Output;
  readonly conversation: Conversation;
  readonly totals: SessionTotals;
  /** The provider and model the next answer uses. */
  readonly provider: string;
  readonly model: string | undefined;
  /** Opens the model picker, or switches to `id` after checking it against the catalog. */
  changeModel(id?: string): Promise<void>;
  /** Opens the provider menu, or switches to `name`. */
  changeProvider(name?: string): Promise<void>;
  transcript(): TranscriptDocument;
}

interface SlashCommand {
  name: string;
  args?: string;
  help: string;
  run(controls: ChatControls, args: string): Promise<'exit' | undefined> | 'exit' | undefined;
}

export const SLASH_COMMANDS: SlashCommand[] = [
  {
    name: 'model',
    args: '[id]',
    help: 'pick a model from the list, or switch to the model id given',
    run: async (c, args) => void (await c.changeModel(args || undefined)),
  },
  {
    name: 'provider',
    args: '[name]',
    help: 'choose another provider (the conversation is kept)',
    run: async (c, args) => void (await c.changeProvider(args || undefined)),
  },
  {
    name: 'system',
    args: '[text | clear]',
    help: 'set the system prompt for the next answers; alone: show it; "clear": remove it',
    run: (c, args) => {
      const { output, conversation } = c;
      if (args === '') {
        output.out(
          conversation.system
            ? `System prompt: ${conversation.system}`
            : 'No system prompt. Set one with /system <text>.',
        );
      } else if (args === 'clear') {
        conversation.system = undefined;
        output.out('System prompt removed.');
      } else {
        conversation.system = args;
        output.out(`System prompt set (${args.length} characters); it applies from the next answer.`);
      }
      return undefined;
    },
  },
  {
    name: 'clear',
    help: 'start a new conversation (the system prompt, model and session costs stay)',
    run: (c) => {
      const dropped = c.conversation.length;
      c.conversation.clear();
      c.output.out(
        `Conversation cleared (${dropped} exchange${dropped === 1 ? '' : 's'} forgotten). Session so far: ${c.totals.summary()}`,
      );
      return undefined;
    },
  },
  {
    name: 'cost',
    help: 'tokens and cost of this session, per model',
    run: (c) => {
      c.output.out(`Session: ${c.totals.summary()}`);
      if (c.totals.answers > 0 || c.totals.toJSON().failed > 0) c.output.out(c.totals.byModelTable());
      return undefined;
    },
  },
  {
    name: 'save',
    args: 'FILE',
    help: 'save the conversation: FILE.json as JSON, any other name as Markdown',
    run: async (c, args) => {
      if (args === '') {
        c.output.err(c.output.red('Usage: /save FILE (FILE.json for JSON, FILE.md for Markdown)'));
        return undefined;
      }
      try {
        const saved = await saveTranscript(args, c.transcript());
        c.output.out(
          `Saved ${c.conversation.length} exchange${c.conversation.length === 1 ? '' : 's'} as ${saved.format === 'json' ? 'JSON' : 'Markdown'} to ${saved.path}`,
        );
      } catch (error) {
        c.output.err(c.output.red(`Could not save to ${args}: ${(error as Error).message}`));
      }
      return undefined;
    },
  },
  { name: 'help', help: 'list the commands', run: (c) => void c.output.out(helpText()) },
  { name: 'exit', help: 'end the chat (also /quit, Ctrl+C or Ctrl+D at the prompt)', run: () => 'exit' },
  { name: 'quit', help: '', run: () => 'exit' },
];

export function helpText(): string {
  const shown = SLASH_COMMANDS.filter((c) => c.help);
  const usage = shown.map((c) => `/${c.name}${c.args ? ` ${c.args}` : ''}`);
  const width = Math.max(...usage.map((u) => u.length));
  return [
    ...shown.map((c, i) => `  ${usage[i]!.padEnd(width)}  ${c.help}`),
    '  Ctrl+C while an answer streams stops it; //text sends a message that starts with "/".',
  ].join('\n');
}

/** True for a line the REPL treats as a command (`/word …`); `//…` is a message starting with a slash. */
export function isSlashCommand(line: string): boolean {
  return /^\/[A-Za-z]/.test(line.trim());
}

/** Runs one slash command line; `exit` when the chat should end. Unknown commands get a did-you-mean hint. */
export async function runSlashCommand(line: string, controls: ChatControls): Promise<'exit' | undefined> {
  const trimmed = line.trim();
  const space = trimmed.search(/\s/);
  const name = (space < 0 ? trimmed.slice(1) : trimmed.slice(1, space)).toLowerCase();
  const args = space < 0 ? '' : trimmed.slice(space + 1).trim();
  const command = SLASH_COMMANDS.find((c) => c.name === name);
  if (!command) {
    const hint = didYouMeanText(
      `/${name}`,
      SLASH_COMMANDS.map((c) => `/${c.name}`),
      2,
    );
    controls.output.err(controls.output.red(`Unknown command /${name}.${hint} /help lists the commands.`));
    return undefined;
  }
  return command.run(controls, args);
}
