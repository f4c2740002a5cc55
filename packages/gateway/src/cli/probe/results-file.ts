import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../support/exit-codes.js';
import { writeFileAtomic } from './atomic-write.js';
import type { ProbeResult } from './probe-result.js';
import { type ProbeSummary, summarize } from './summary.js';

/** The JSON document `switchyard probe --out` writes (rewritten whole, atomically, after every model). */
export interface ProbeResultsDocument {
  version: 1;
  tool: 'switchyard probe';
  /** Which provider answered: `openrouter`, `simulator`, … (never a key). */
  backend: string;
  prompt: string;
  max_tokens: number;
  started_at: string;
  updated_at: string;
  /** Wall time of all runs that wrote this file. */
  duration_ms: number;
  results: ProbeResult[];
  summary: ProbeSummary;
}

export interface ResultsFileSettings {
  backend: string;
  prompt: string;
  maxTokens: number;
}

/**
 * The probe's results file, kept on disk after every model, so a crash or Ctrl-C loses nothing that was tested.
 * `--resume` reads it back and skips what it holds.
 */
export class ResultsFile {
  private readonly results: ProbeResult[];
  private readonly startedAt: string;
  private readonly earlierMs: number;
  private readonly runStarted = Date.now();

  private constructor(
    readonly path: string,
    private readonly settings: ResultsFileSettings,
    previous: ProbeResultsDocument | undefined,
  ) {
    this.results = previous ? [...previous.results] : [];
    this.startedAt = previous?.started_at ?? new Date().toISOString();
    this.earlierMs = previous?.duration_ms ?? 0;
  }

  /**
   * Opens `path` for a run. Without `resume` an existing file with results is refused unless `force` (it may hold
   * paid-for answers); with `resume` it must be a probe results file made with the same prompt.
   */
  static open(path: string, settings: ResultsFileSettings, mode: { resume: boolean; force: boolean }): ResultsFile {
    const previous = existsSync(path) ? readDocument(path) : undefined;
    if (!mode.resume) {
      if (previous && previous.results.length > 0 && !mode.force) {
        throw new UsageError(
          `${path} already holds ${previous.results.length} results: pass --resume to continue it or --force to start over`,
        );
      }
      return new ResultsFile(path, settings, undefined);
    }
    if (previous && previous.prompt !== settings.prompt && !mode.force) {
      throw new UsageError(
        `${path} was made with --prompt ${JSON.stringify(previous.prompt)}: resume with the same prompt (or --force to start over)`,
      );
    }
    return new ResultsFile(path, settings, previous);
  }

  /** Results already in the file (from earlier runs and this one). */
  all(): readonly ProbeResult[] {
    return this.results;
  }

  has(model: string): ProbeResult | undefined {
    return this.results.find((r) => r.model === model);
  }

  /** Adds (or replaces, for a re-tested model) a result and writes the file. */
  add(result: ProbeResult): void {
    const at = this.results.findIndex((r) => r.model === result.model);
    if (at >= 0) this.results.splice(at, 1);
    this.results.push(result);
    this.save();
  }

  durationMs(): number {
    return this.earlierMs + (Date.now() - this.runStarted);
  }

  document(): ProbeResultsDocument {
    const duration = this.durationMs();
    return {
      version: 1,
      tool: 'switchyard probe',
      backend: this.settings.backend,
      prompt: this.settings.prompt,
      max_tokens: this.settings.maxTokens,
      started_at: this.startedAt,
      updated_at: new Date().toISOString(),
      duration_ms: duration,
      results: this.results,
      summary: summarize(this.results, duration),
    };
  }

  save(): void {
    writeFileAtomic(this.path, `${JSON.stringify(this.document(), null, 2)}\n`);
  }
}

function readDocument(path: string): ProbeResultsDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path} is not a probe results file (${(error as Error).message})`);
  }
  const doc = parsed as Partial<ProbeResultsDocument> | null;
  if (!doc || typeof doc !== 'object' || doc.tool !== 'switchyard probe' || !Array.isArray(doc.results))
    throw new UsageError(`${path} is not a probe results file (choose another --out)`);
  return doc as ProbeResultsDocument;
}
