import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BROKEN_STREAMS,
  CLI_BIN,
  cliEnv,
  providerConfig,
  type SimulateProcess,
  startSimulateProcess,
} from '../support/cli.js';

// The interactive `switchyard chat`, driven through a real pseudo-terminal: tmux runs the built CLI in a detached
// 160×50 session on a private server (its own socket), keys go in with `send-keys`, the screen comes back with
// `capture-pane`. Every wait polls the screen until the expected text appears, bounded by a timeout. The
// environment is clean (no key: the CLI falls back to its in-process simulator); faults come from a
// `switchyard simulate` process with a scenario, reached over loopback through a [providers.flaky] entry.

const SOCKET = `sy-chat-repl-${process.pid}`;
const root = mkdtempSync(join(tmpdir(), 'sy-chat-repl-'));
const home = join(root, 'home');
mkdirSync(home);
const env = cliEnv(home, { lang: 'C.UTF-8', extra: { TERM: 'xterm-256color' } });
// Found in the working directory too: the interactive chat lists `flaky` without -c.
const configPath = join(root, 'switchyard.toml');

function tmux(...args: string[]): string {
  // Without $TMUX: the tests may themselves run inside a tmux session.
  return execFileSync('tmux', ['-L', SOCKET, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TMUX: '' },
  });
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const sessions: string[] = [];
let counter = 0;

interface Chat {
  name: string;
  exitFile: string;
}

/** Starts `switchyard chat ARGS` in a new tmux session; its exit code lands in a file when it ends. */
function startChat(args: string[]): Chat {
  const name = `chat-${process.pid}-${++counter}`;
  const exitFile = join(root, `${name}.exit`);
  const vars = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`);
  const command = [
    `cd ${quote(root)} &&`,
    'env -i',
    ...vars,
    quote(process.execPath),
    quote(CLI_BIN),
    'chat',
    ...args.map(quote),
    `; echo $? > ${quote(exitFile)}`,
  ].join(' ');
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    '160',
    '-y',
    '50',
    command,
    ';',
    'set-option',
    '-t',
    name,
    'remain-on-exit',
    'on',
  );
  sessions.push(name);
  return { name, exitFile };
}

/** The whole scroll-back and screen (wrapped lines joined), or only what is on the screen now. */
function screen(chat: Chat, visibleOnly = false): string {
  return tmux('capture-pane', '-p', '-J', '-t', chat.name, ...(visibleOnly ? [] : ['-S', '-']));
}

async function waitFor(
  chat: Chat,
  expected: string | RegExp | ((text: string) => boolean),
  timeoutMs = 10_000,
): Promise<string> {
  const test =
    typeof expected === 'function'
      ? expected
      : typeof expected === 'string'
        ? (t: string) => t.includes(expected)
        : (t: string) => expected.test(t);
  const until = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = screen(chat);
    if (test(text)) return text;
    if (Date.now() > until) throw new Error(`timed out waiting for ${String(expected)}; the screen:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, 'g')) ?? []).length;

/** Types literal text, then Enter. */
function type(chat: Chat, text: string, enter = true): void {
  tmux('send-keys', '-t', chat.name, '-l', text);
  if (enter) tmux('send-keys', '-t', chat.name, 'Enter');
}

function key(chat: Chat, ...keys: string[]): void {
  tmux('send-keys', '-t', chat.name, ...keys);
}

/** The highlighted row of the open select prompt (clack marks it with ●). */
function activeRow(chat: Chat): string | undefined {
  return screen(chat, true)
    .split('\n')
    .filter((l) => l.includes('●'))
    .pop();
}

/** Moves the highlight down to the row containing `label`, then presses Enter. */
async function choose(chat: Chat, label: string): Promise<void> {
  await waitFor(chat, () => activeRow(chat) !== undefined);
  for (let i = 0; i < 40; i++) {
    const row = activeRow(chat);
    if (row?.includes(label)) {
      key(chat, 'Enter');
      return;
    }
    key(chat, 'Down');
    await waitFor(chat, () => activeRow(chat) !== row, 5000);
  }
  throw new Error(`no option "${label}" in:\n${screen(chat, true)}`);
}

/** Waits for the chat to end and returns its exit code. */
async function exitCode(chat: Chat): Promise<number> {
  const until = Date.now() + 10_000;
  while (!existsSync(chat.exitFile) || readFileSync(chat.exitFile, 'utf8').trim() === '') {
    if (Date.now() > until) throw new Error(`the chat did not end; the screen:\n${screen(chat)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Number(readFileSync(chat.exitFile, 'utf8').trim());
}

const PROMPT = /you ›/;
const STATS = (model: string) =>
  new RegExp(`\\d+ tokens \\(\\d+ in · \\d+ out\\) · \\$[\\d.]+ · ${model.replace(/[./]/g, '\\$&')} via \\w+`);

let simulator: SimulateProcess | undefined;

beforeAll(async () => {
  // openai/gpt-4o breaks off after 3 chunks (an in-band error); openai/gpt-4o-mini stalls after 2 chunks.
  simulator = await startSimulateProcess({ scenario: BROKEN_STREAMS, cwd: root, env, track: false });
  writeFileSync(configPath, providerConfig('flaky', simulator.url, 'sk-or-v1-repl'));
});

afterEach(() => {
  for (const name of sessions.splice(0)) {
    try {
      tmux('kill-session', '-t', name);
    } catch {
      // already gone
    }
  }
});

afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // no server left
  }
  await simulator?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('switchyard chat (interactive, in a terminal)', () => {
  it('provider menu, model picker, two turns, /model with a typo, /system, /cost, /save, /clear, /exit', async () => {
    const chat = startChat(['-c', configPath]);

    // The provider menu: OpenRouter listed but unusable without a key, the simulator, the configured server.
    const menu = await waitFor(chat, '○ flaky');
    expect(menu).toContain('◆  Provider');
    expect(menu).toContain('○ OpenRouter (set OPENROUTER_API_KEY to use it)');
    expect(menu).toContain('● Simulator (offline OpenRouter look-alike');
    await choose(chat, 'Simulator');
    await waitFor(chat, 'Model — top 20 of 110 on Simulator');
    expect(screen(chat)).toContain('Using the offline simulator (no OPENROUTER_API_KEY is set)');

    // The model picker: name, context and prices per row; the highlighted row also shows the id and a description.
    const picker = screen(chat, true);
    expect(picker).toMatch(/OpenAI: GPT-4o-mini\s+128K ctx\s+\$0\.15\/M in\s+\$0\.60\/M out/);
    expect(picker).toContain('Type a model id…');
    await choose(chat, 'OpenAI: GPT-4o-mini');
    await waitFor(chat, 'Model: openai/gpt-4o-mini — OpenAI: GPT-4o-mini, 128K context, $0.15/M in, $0.60/M out');
    await waitFor(chat, PROMPT);

    // Turn 1: the answer, then tokens, cost and the served model.
    type(chat, 'Say exactly: first answer');
    let text = await waitFor(chat, STATS('openai/gpt-4o-mini'));
    expect(text).toMatch(/you › Say exactly: first answer\nfirst answer\n\d+ tokens/);

    // /model → "Type a model id…" → a typo gets "did you mean", then a valid id is accepted.
    type(chat, '/model');
    await waitFor(chat, (t) => count(t, /Model — top 20 of 110 on Simulator/) >= 2);
    await choose(chat, 'Type a model id…');
    await waitFor(chat, 'Model id (checked against the catalog)');
    type(chat, 'claude-sonet-4.5');
    await waitFor(chat, 'Unknown model "claude-sonet-4.5". Did you mean anthropic/claude-sonnet-4.5');
    for (let i = 0; i < 'claude-sonet-4.5'.length; i++) key(chat, 'BSpace');
    type(chat, 'anthropic/claude-3-haiku');
    await waitFor(chat, 'Model: anthropic/claude-3-haiku — Anthropic: Claude 3 Haiku');

    type(chat, '/system You are terse.');
    await waitFor(chat, 'System prompt set (14 characters)');

    // Turn 2 on the new model.
    type(chat, 'Say exactly: second answer');
    text = await waitFor(chat, STATS('anthropic/claude-3-haiku'));
    expect(text).toMatch(/you › Say exactly: second answer\nsecond answer\n\d+ tokens/);

    // /cost: the session's totals and a row per model.
    type(chat, '/cost');
    text = await waitFor(chat, /Session: 2 answers · \d+ tokens \(\d+ in · \d+ out\) · \$[\d.]+\n/);
    expect(text).toMatch(/openai\/gpt-4o-mini\s+1\s+0\s+\d+\s+\d+\s+\$[\d.]+/);
    expect(text).toMatch(/anthropic\/claude-3-haiku\s+1\s+0\s+\d+\s+\d+\s+\$[\d.]+/);

    // /save as Markdown and as JSON (by extension).
    const md = join(root, 'chat.md');
    const json = join(root, 'chat.json');
    type(chat, `/save ${md}`);
    await waitFor(chat, `Saved 2 exchanges as Markdown to ${md}`);
    type(chat, `/save ${json}`);
    await waitFor(chat, `Saved 2 exchanges as JSON to ${json}`);
    const markdown = readFileSync(md, 'utf8');
    expect(markdown).toMatch(/^# switchyard chat\n/);
    expect(markdown).toContain('- Provider: simulator');
    expect(markdown).toContain('- Model: anthropic/claude-3-haiku');
    expect(markdown).toContain('- System prompt: You are terse.');
    expect(markdown).toMatch(/- Session: 2 answers · \d+ tokens/);
    expect(markdown).toContain('## You\n\nSay exactly: first answer\n\n## Assistant\n\nfirst answer\n\n_');
    expect(markdown).toMatch(/## Assistant\n\nsecond answer\n\n_\d+ tokens .* · anthropic\/claude-3-haiku via \w+/);
    const saved = JSON.parse(readFileSync(json, 'utf8'));
    expect(saved).toMatchObject({
      format: 'switchyard-chat-transcript',
      provider: 'simulator',
      system: 'You are terse.',
    });
    expect(saved.turns.map((t: any) => [t.user, t.assistant, t.model, t.status])).toEqual([
      ['Say exactly: first answer', 'first answer', 'openai/gpt-4o-mini', 'ok'],
      ['Say exactly: second answer', 'second answer', 'anthropic/claude-3-haiku', 'ok'],
    ]);
    expect(saved.turns[1].generationId).toMatch(/^gen-/);
    expect(saved.messages.map((m: any) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant']);
    expect(saved.totals).toMatchObject({ answers: 2, failed: 0 });
    expect(saved.totals.costUsd).toBeGreaterThan(0);
    expect(Object.keys(saved.totals.byModel)).toEqual(['openai/gpt-4o-mini', 'anthropic/claude-3-haiku']);

    // /clear forgets the exchanges (not the system prompt or the session's costs).
    type(chat, '/clear');
    await waitFor(chat, 'Conversation cleared (2 exchanges forgotten). Session so far: 2 answers');
    const cleared = join(root, 'cleared.json');
    type(chat, `/save ${cleared}`);
    await waitFor(chat, `Saved 0 exchanges as JSON to ${cleared}`);
    const after = JSON.parse(readFileSync(cleared, 'utf8'));
    expect(after.turns).toEqual([]);
    expect(after.messages).toEqual([{ role: 'system', content: 'You are terse.' }]);
    expect(after.totals.answers).toBe(2);

    // Unknown commands get a hint; /exit ends the session cleanly.
    type(chat, '/cots');
    await waitFor(chat, 'Unknown command /cots. Did you mean /cost? /help lists the commands.');
    type(chat, '/exit');
    await waitFor(chat, /Session: 2 answers · .*\. Bye\./);
    expect(await exitCode(chat)).toBe(0);
  }, 45_000);

  it('an answer that breaks off or is stopped with Ctrl+C leaves the chat running; /provider switches', async () => {
    const chat = startChat(['-c', configPath, '--provider', 'flaky', '--model', 'openai/gpt-4o']);
    await waitFor(chat, 'Model: openai/gpt-4o — OpenAI: GPT-4o');
    await waitFor(chat, PROMPT);
    expect(screen(chat)).not.toContain('offline simulator');

    // A mid-stream error: the partial text stays on screen, one red line says what happened, the prompt returns.
    type(chat, 'Tell me a story');
    let text = await waitFor(
      chat,
      /✖ The answer broke off: .*Provider returned error \(openai\/gpt-4o via \w+, after \d+ characters\)\. The partial answer stays in the conversation\./,
    );
    await waitFor(chat, (t) => count(t, /you ›/g) >= 2);

    // A stalled stream: Ctrl+C stops the answer, not the chat.
    type(chat, '/model openai/gpt-4o-mini');
    await waitFor(chat, 'Model: openai/gpt-4o-mini');
    type(chat, 'Hello there');
    await waitFor(chat, /you › Hello there\n\S+/);
    key(chat, 'C-c');
    text = await waitFor(chat, 'Stopped. The partial answer stays in the conversation.');
    await waitFor(chat, (t) => count(t, /you ›/g) >= 4);

    // /provider: back to the simulator, pick a model, the conversation goes on there.
    type(chat, '/provider');
    await waitFor(chat, (t) => t.includes('◆  Provider'));
    await choose(chat, 'Simulator');
    await waitFor(chat, 'Model — top 20 of 110 on Simulator');
    await choose(chat, 'OpenAI: GPT-4o-mini');
    await waitFor(
      chat,
      /Provider: Simulator\. Model: openai\/gpt-4o-mini .*The conversation is kept \(2 exchanges\)\./,
    );
    type(chat, 'Say exactly: still here');
    text = await waitFor(chat, STATS('openai/gpt-4o-mini'));
    expect(text).toContain('still here\n');

    type(chat, '/cost');
    await waitFor(chat, /Session: 1 answer \(\+2 failed or stopped\)/);

    // Ctrl+C at the prompt ends the chat cleanly.
    key(chat, 'C-c');
    await waitFor(chat, /Bye\./);
    expect(await exitCode(chat)).toBe(0);
  }, 45_000);

  it('Ctrl+D at the prompt and Esc in the provider menu end the chat cleanly', async () => {
    const atPrompt = startChat(['--provider', 'simulator', '--model', 'openai/gpt-4o-mini']);
    await waitFor(atPrompt, PROMPT);
    key(atPrompt, 'C-d');
    await waitFor(atPrompt, 'Session: 0 answers · 0 tokens (0 in · 0 out) · $0. Bye.');
    expect(await exitCode(atPrompt)).toBe(0);

    const inMenu = startChat([]);
    await waitFor(inMenu, '◆  Provider');
    key(inMenu, 'Escape');
    await waitFor(inMenu, 'Bye.');
    expect(await exitCode(inMenu)).toBe(0);
  }, 30_000);

  it('an unknown --model ends the interactive chat with exit 2 and a did-you-mean line', async () => {
    const chat = startChat(['--provider', 'simulator', '--model', 'openai/gpt-4o-mnii']);
    await waitFor(
      chat,
      'switchyard: Unknown model "openai/gpt-4o-mnii": not among the 110 models of simulator. Did you mean openai/gpt-4o-mini',
    );
    expect(await exitCode(chat)).toBe(2);
  }, 20_000);
});
