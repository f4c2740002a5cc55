export interface InterleaveOptions<S extends string, T> {
  sides: readonly [S, S];
  /** Measured samples per side (rounded up to whole blocks). */
  count: number;
  /** Unrecorded samples per side before measuring (rounded up to whole blocks). */
  warmup: number;
  /** Samples a side takes in a row before the other side's turn. */
  block: number;
  /** Epoch ms after which the measurement gives up (checked between blocks; each sample has its own timeout). */
  deadline: number;
  /** One sample of one side, awaited sequentially (concurrency 1). */
  sample: (side: S) => Promise<T>;
}

/**
 * Sequential samples of two sides taken in alternating blocks, with the order flipped every turn (A B, B A, A B …),
 * so that drift on a shared machine (other processes, CPU frequency, GC of this process) weighs on both sides alike.
 * The warm-up blocks run the same way and are discarded.
 */
export async function interleaved<S extends string, T>(options: InterleaveOptions<S, T>): Promise<Record<S, T[]>> {
  const { sides, block } = options;
  if (!(block >= 1)) throw new Error(`block must be ≥ 1, got ${block}`);
  const out = { [sides[0]]: [] as T[], [sides[1]]: [] as T[] } as Record<S, T[]>;
  const warmupTurns = Math.ceil(Math.max(0, options.warmup) / block);
  const turns = warmupTurns + Math.ceil(Math.max(1, options.count) / block);
  for (let turn = 0; turn < turns; turn++) {
    const order = turn % 2 === 0 ? sides : ([sides[1], sides[0]] as const);
    for (const side of order) {
      if (Date.now() > options.deadline) throw new Error('the measurement ran past its deadline');
      const samples: T[] = [];
      for (let i = 0; i < block; i++) samples.push(await options.sample(side));
      if (turn >= warmupTurns) out[side].push(...samples);
    }
  }
  return out;
}

/** Samples each side takes in all, warm-up included (what the servers handled). */
export function samplesPerSide(options: { count: number; warmup: number; block: number }): number {
  const { block } = options;
  return (Math.ceil(Math.max(0, options.warmup) / block) + Math.ceil(Math.max(1, options.count) / block)) * block;
}
