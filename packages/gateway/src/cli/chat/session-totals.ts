import { parseUsd, toUsd } from '@switchyard/sdk';
import { table, usd } from '../support/output.js';

/** What one answer (complete, stopped or broken off) cost. */
export interface TurnUsage {
  model: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Undefined when not known (a stopped stream carries no usage). */
  costUsd: number | undefined;
  /** The cost is unknown rather than zero (no reported cost and no prices). */
  unpriced?: boolean;
  ok: boolean;
}

interface Bucket {
  answers: number;
  failed: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  femto: bigint;
  unknownCost: number;
}

const empty = (): Bucket => ({
  answers: 0,
  failed: 0,
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  femto: 0n,
  unknownCost: 0,
});

/** Tokens and money of a whole chat session (kept across /clear and provider switches), summed exactly. */
export class SessionTotals {
  private readonly all = empty();
  private readonly perModel = new Map<string, Bucket>();

  add(turn: TurnUsage): void {
    let bucket = this.perModel.get(turn.model);
    if (!bucket) {
      bucket = empty();
      this.perModel.set(turn.model, bucket);
    }
    for (const b of [this.all, bucket]) {
      if (turn.ok) b.answers++;
      else b.failed++;
      b.promptTokens += turn.promptTokens;
      b.completionTokens += turn.completionTokens;
      b.totalTokens += turn.totalTokens;
      if (turn.costUsd === undefined || turn.unpriced) b.unknownCost++;
      else b.femto += parseUsd(turn.costUsd);
    }
  }

  get answers(): number {
    return this.all.answers;
  }

  get usd(): number {
    return toUsd(this.all.femto);
  }

  toJSON() {
    const view = (b: Bucket) => ({
      answers: b.answers,
      failed: b.failed,
      promptTokens: b.promptTokens,
      completionTokens: b.completionTokens,
      totalTokens: b.totalTokens,
      costUsd: toUsd(b.femto),
      costUnknownFor: b.unknownCost,
    });
    return {
      ...view(this.all),
      byModel: Object.fromEntries([...this.perModel].map(([model, b]) => [model, view(b)])),
    };
  }

  /** `2 answers · 98 tokens (20 in · 78 out) · $0.0000498` */
  summary(): string {
    const b = this.all;
    const parts = [
      `${b.answers} answer${b.answers === 1 ? '' : 's'}${b.failed ? ` (+${b.failed} failed or stopped)` : ''}`,
      `${b.totalTokens} tokens (${b.promptTokens} in · ${b.completionTokens} out)`,
      `${usd(toUsd(b.femto))}${b.unknownCost ? ` + unknown cost of ${b.unknownCost}` : ''}`,
    ];
    return parts.join(' · ');
  }

  /** The per-model table of `/cost`. */
  byModelTable(): string {
    const rows = [...this.perModel].map(([model, b]) => [
      model,
      String(b.answers),
      String(b.failed),
      String(b.promptTokens),
      String(b.completionTokens),
      `${usd(toUsd(b.femto))}${b.unknownCost ? '+?' : ''}`,
    ]);
    return table(
      [
        { header: 'model', max: 48 },
        { header: 'answers', align: 'right' },
        { header: 'failed', align: 'right' },
        { header: 'in', align: 'right' },
        { header: 'out', align: 'right' },
        { header: 'cost', align: 'right' },
      ],
      rows,
    );
  }
}
