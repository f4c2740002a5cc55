/**
 * Records behind `GET /generation?id=`. OpenRouter's record is eventually consistent: right after a request it
 * answers 404 for a while, which `delayMs` reproduces.
 */
interface Entry {
  owner: string;
  availableAt: number;
  data: Record<string, unknown>;
}

const MAX_RECORDS = 20_000;

export class GenerationStore {
  private readonly records = new Map<string, Entry>();

  constructor(
    private readonly delayMs: () => number,
    private readonly now: () => number,
  ) {}

  add(id: string, owner: string, data: Record<string, unknown>): void {
    if (this.records.size >= MAX_RECORDS) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
    this.records.set(id, { owner, availableAt: this.now() + this.delayMs(), data });
  }

  /** The record, if it exists, belongs to `owner` and its "not yet available" window has passed. */
  get(id: string, owner: string): Record<string, unknown> | undefined {
    const entry = this.records.get(id);
    if (!entry || entry.owner !== owner || entry.availableAt > this.now()) return undefined;
    return entry.data;
  }
}
