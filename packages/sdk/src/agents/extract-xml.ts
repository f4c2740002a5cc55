import { ExtractionError } from './agent-errors.js';

/**
 * Contents of `<tag>…</tag>` elements in a model's answer. Tolerant of what models write: attributes on the opening
 * tag, any letter case, code fences and prose around the element, nested elements of the same name, a final
 * element that is never closed (it runs to the end of the text, minus a trailing ``` fence), a missing opening tag
 * at the very start (the answer continued a prefilled `<tag>`), self-closing `<tag/>` (empty) and CDATA sections.
 * Contents are trimmed; entities are left as they are.
 */

const NAME = /^[A-Za-z_][\w.:-]*$/;

function clean(content: string, unclosed: boolean): string {
  let out = content.trim();
  if (unclosed) out = out.replace(/\n?[ \t]*```[ \t]*$/, '').trim();
  const cdata = /^<!\[CDATA\[([\s\S]*?)\]\]>$/.exec(out);
  return cdata ? (cdata[1] as string) : out;
}

function elements(text: string, tag: string): string[] {
  if (!NAME.test(tag)) throw new TypeError(`Invalid XML tag name ${JSON.stringify(tag)}`);
  const escaped = tag.replace(/[.]/g, '\\.');
  const token = new RegExp(`<(/)?${escaped}(?=[\\s/>])[^<>]*?(/)?>`, 'gi');
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  let first = true;
  for (const match of text.matchAll(token)) {
    const at = match.index ?? 0;
    const closing = match[1] === '/';
    const selfClosing = match[2] === '/';
    if (closing) {
      if (depth > 0) {
        depth--;
        if (depth === 0) out.push(clean(text.slice(start, at), false));
      } else if (first) out.push(clean(text.slice(0, at), false)); // the opening tag was prefilled
    } else if (selfClosing) {
      if (depth === 0) out.push('');
    } else {
      if (depth === 0) start = at + match[0].length;
      depth++;
    }
    first = false;
  }
  if (depth > 0) out.push(clean(text.slice(start), true));
  return out;
}

/** Names of the tags that do occur, for the error message. */
function tagsIn(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/<([A-Za-z_][\w.:-]*)[^<>]*>/g)) {
    names.add(match[1] as string);
    if (names.size >= 8) break;
  }
  return [...names];
}

function missing(text: string, tag: string): ExtractionError {
  const found = tagsIn(text);
  const hint = found.length > 0 ? `; tags found: ${found.map((t) => `<${t}>`).join(', ')}` : '';
  const empty = text.trim() === '' ? ': the text is empty' : '';
  return new ExtractionError(`No <${tag}> element in the text${empty}${hint}`, text);
}

/** The contents of the first `<tag>` element (see above). Throws `ExtractionError` when there is none. */
export function extractXml(text: string, tag: string): string {
  const found = elements(text, tag);
  if (found.length === 0) throw missing(text, tag);
  return found[0] as string;
}

/** The contents of every top-level `<tag>` element, in order. Throws `ExtractionError` when there is none. */
export function extractXmlAll(text: string, tag: string): string[] {
  const found = elements(text, tag);
  if (found.length === 0) throw missing(text, tag);
  return found;
}
