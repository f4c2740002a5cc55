type Item = Record<string, unknown>;

function index(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

/**
 * OpenRouter's message `annotations` as the `annotations` of a Responses `output_text` part. Only `url_citation`
 * (web search results) has a Responses counterpart; OpenRouter nests its fields under `url_citation` (the flat form
 * some providers pass through is read too). `title` and the indexes may be missing upstream and are required in the
 * Responses shape, so they default to '' and 0. File annotations (parsed PDFs) have none and are left out.
 */
export function outputAnnotations(annotations: unknown): Item[] {
  if (!Array.isArray(annotations)) return [];
  const out: Item[] = [];
  for (const annotation of annotations as Item[]) {
    if (annotation?.type !== 'url_citation') continue;
    const nested = annotation.url_citation;
    const c = (typeof nested === 'object' && nested !== null ? nested : annotation) as Item;
    if (typeof c.url !== 'string') continue;
    out.push({
      type: 'url_citation',
      url: c.url,
      title: typeof c.title === 'string' ? c.title : '',
      start_index: index(c.start_index),
      end_index: index(c.end_index),
    });
  }
  return out;
}

/** A chunk whose delta carries a refusal piece or at least one annotation (most carry neither). */
const CARRIES = /"refusal":\s*"|"annotations":\s*\[\s*\{/;

/**
 * The refusal and the citations of a stream, read from its upstream frames: the SDK's stream events carry neither
 * (its assembled result has no `refusal` or `annotations` either), and a chunk with only a refusal piece makes no
 * event at all. Only frames that carry one are parsed (a second time). Citations repeated by a later chunk are kept
 * once. `take…` hands over what arrived since the last call, for the message item being closed.
 */
export class FrameCitations {
  private refusal = '';
  private annotations: Item[] = [];
  private readonly seen = new Set<string>();

  observe(frame: string): void {
    if (!CARRIES.test(frame)) return;
    let chunk: { choices?: { index?: number; delta?: { refusal?: unknown; annotations?: unknown } }[] };
    try {
      chunk = JSON.parse(frame.slice(frame.indexOf('{')));
    } catch {
      return; // the SDK fails the stream on a malformed chunk; nothing to add here
    }
    const delta = chunk.choices?.find((c) => (c?.index ?? 0) === 0)?.delta;
    if (!delta) return;
    if (typeof delta.refusal === 'string') this.refusal += delta.refusal;
    for (const annotation of outputAnnotations(delta.annotations)) {
      const key = JSON.stringify(annotation);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.annotations.push(annotation);
    }
  }

  get hasRefusal(): boolean {
    return this.refusal !== '';
  }

  takeRefusal(): string {
    const taken = this.refusal;
    this.refusal = '';
    return taken;
  }

  takeAnnotations(): Item[] {
    const taken = this.annotations;
    this.annotations = [];
    return taken;
  }
}
