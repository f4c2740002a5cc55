/**
 * Wraps `text` to lines of at most `width` characters: at spaces where possible, inside a word only when the word
 * alone is longer than a line — then after a `/`, `-`, `_` or `.` when one is near the end of the line (a model id
 * breaks as `anthropic/claude-3.5-` + `haiku`), else at the width. Line breaks of the text are kept; tabs become
 * spaces.
 */
export function wrapText(text: string, width: number): string[] {
  const max = Math.max(1, Math.floor(width));
  const lines: string[] = [];
  for (const paragraph of text.replace(/\r\n?/g, '\n').replace(/\t/g, '  ').split('\n')) {
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      let rest = word;
      while ([...rest].length > max) {
        if (line) {
          lines.push(line);
          line = '';
        }
        const chars = [...rest];
        const cut = breakAt(chars, max);
        lines.push(chars.slice(0, cut).join(''));
        rest = chars.slice(cut).join('');
      }
      if (!rest) continue;
      if (!line) line = rest;
      else if ([...line].length + 1 + [...rest].length <= max) line += ` ${rest}`;
      else {
        lines.push(line);
        line = rest;
      }
    }
    lines.push(line);
  }
  return lines;
}

const BREAKABLE = new Set(['/', '-', '_', '.']);

/** Where to cut a word longer than `max`: after the last separator in its last two thirds, else at `max`. */
function breakAt(chars: string[], max: number): number {
  for (let i = max - 1; i >= Math.ceil(max / 3); i--) if (BREAKABLE.has(chars[i] as string)) return i + 1;
  return max;
}
