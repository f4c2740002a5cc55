import { createInterface } from 'node:readline';

export type LineResult = { kind: 'line'; text: string } | { kind: 'interrupt' } | { kind: 'eof' };

/**
 * Reads lines at the chat prompt with line editing and history (↑/↓). Ctrl+C gives `interrupt`, Ctrl+D on an empty
 * line `eof`. A fresh readline per line, closed before anything else reads the terminal: the pickers (clack) and the
 * Ctrl+C watcher of a running answer each own stdin in turn. Lines that arrive together (a paste of several lines)
 * are queued and returned one by one.
 */
export class LineReader {
  private readonly queue: string[] = [];
  /** Newest first, as readline keeps it. */
  readonly history: string[] = [];

  read(prompt: string): Promise<LineResult> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve({ kind: 'line', text: queued });
    return new Promise((resolve) => {
      const rl = createInterface({
        input: process.stdin,
        output: process.stdout,
        terminal: true,
        history: [...this.history],
        historySize: 500,
        removeHistoryDuplicates: true,
      });
      let settled = false;
      const finish = (result: LineResult) => {
        if (settled) return;
        settled = true;
        rl.close();
        resolve(result);
      };
      rl.on('line', (line) => {
        if (line.trim() !== '' && this.history[0] !== line) this.history.unshift(line);
        this.queue.push(line);
        // Let the rest of the same input chunk arrive as further lines before closing.
        if (this.queue.length === 1) setImmediate(() => finish({ kind: 'line', text: this.queue.shift()! }));
      });
      rl.on('SIGINT', () => {
        process.stdout.write('\n');
        finish({ kind: 'interrupt' });
      });
      rl.on('close', () => {
        if (!settled) process.stdout.write('\n');
        finish({ kind: 'eof' });
      });
      rl.setPrompt(prompt);
      rl.prompt();
    });
  }
}

/**
 * Watches for Ctrl+C while an answer streams: the terminal goes to raw mode (typed keys are swallowed, ^C arrives
 * as a byte) and SIGINT is caught too (a non-raw terminal, `kill -INT`). Returns the function that undoes it.
 */
export function watchInterrupt(onInterrupt: () => void): () => void {
  const stdin = process.stdin;
  const onData = (chunk: Buffer | string) => {
    if ((typeof chunk === 'string' ? Buffer.from(chunk) : chunk).includes(0x03)) onInterrupt();
  };
  const raw = Boolean(stdin.isTTY);
  if (raw) {
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  }
  process.on('SIGINT', onInterrupt);
  return () => {
    process.off('SIGINT', onInterrupt);
    if (raw) {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    }
  };
}
