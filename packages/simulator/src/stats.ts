/** What a simulator has seen, for tests that assert which models and providers were tried. */
export interface SimulatorStats {
  /** HTTP requests received. */
  requests: number;
  /** Requests per API area (`chat`, `embeddings`, `models`, `key`, …). */
  byEndpoint: Record<string, number>;
  /** Responses per HTTP status (in-band stream errors are counted under their 200). */
  byStatus: Record<string, number>;
  /** Per model id: times it was attempted (including fallbacks and failures) and times it served. */
  models: Record<string, { attempts: number; served: number }>;
  /** Per provider display name: attempts and successful serves. */
  providers: Record<string, { attempts: number; served: number }>;
  /** Faults injected, per rule id (or kind when the rule has no id). */
  faults: Record<string, number>;
}

export function emptyStats(): SimulatorStats {
  return { requests: 0, byEndpoint: {}, byStatus: {}, models: {}, providers: {}, faults: {} };
}

export function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export function bumpTarget(
  map: Record<string, { attempts: number; served: number }>,
  key: string,
  served: boolean,
): void {
  const entry = map[key] ?? { attempts: 0, served: 0 };
  if (served) entry.served++;
  else entry.attempts++;
  map[key] = entry;
}

/** A deep copy, so callers can compare snapshots. */
export function snapshot(stats: SimulatorStats): SimulatorStats {
  return structuredClone(stats);
}
