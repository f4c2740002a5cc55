import type { Output } from '../support/output.js';

export interface Indicator {
  /** Removes the indicator's line (safe to call twice). */
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const NONE: Indicator = { stop() {} };

/**
 * A one-line "working…" spinner on stdout while nothing else is printed (waiting for the first token, loading the
 * catalog). Interactive terminals only — with no TTY or `CI` set nothing is drawn. It appears after `delayMs`, so
 * fast answers never flicker. (Not clack's spinner: that one exits the process on Ctrl+C, which must stop only the
 * answer here.)
 */
export function startIndicator(output: Output, text: string, delayMs = 150): Indicator {
  if (!output.interactive) return NONE;
  let frame = 0;
  let drawn = false;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    drawn = true;
    process.stdout.write(`\r${output.cyan(FRAMES[frame++ % FRAMES.length]!)} ${output.dim(text)}`);
  };
  const delay = setTimeout(() => {
    draw();
    timer = setInterval(draw, 80);
  }, delayMs);
  return {
    stop() {
      clearTimeout(delay);
      if (timer) clearInterval(timer);
      timer = undefined;
      if (drawn) process.stdout.write('\r\u001b[2K');
      drawn = false;
    },
  };
}
