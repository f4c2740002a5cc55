/**
 * Cold import time: a fresh `node --input-type=module -e` per sample, timing `await import(<file URL>)` with
 * `performance.now()` inside that process (Node's own start-up is not counted). One unrecorded run first warms the
 * OS file cache; the result is the median of the recorded runs. NODE_OPTIONS is dropped so no loader (tsx) is
 * involved: this is what an application importing the published package pays.
 */
import { spawnSync } from 'node:child_process';

export interface ColdImportResult {
  medianMs: number;
  samplesMs: number[];
}

const CODE = [
  'const t = performance.now();',
  'await import(process.env.BENCH_IMPORT_URL);',
  'process.stdout.write(String(performance.now() - t));',
].join(' ');

/** `url`: a `file://` URL of an ES module. Each child gets `timeoutMs`; any failure throws. */
export function coldImport(url: string, runs: number, timeoutMs = 15_000): ColdImportResult {
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_IMPORT_URL: url };
  delete env.NODE_OPTIONS;
  const samples: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', CODE], {
      env,
      encoding: 'utf8',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    const ms = Number(child.stdout);
    if (child.status !== 0 || !Number.isFinite(ms)) {
      throw new Error(`cold import of ${url} failed (${child.status ?? child.signal}): ${child.stderr.slice(0, 500)}`);
    }
    if (i > 0) samples.push(ms);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: sorted[sorted.length >> 1]!, samplesMs: samples };
}
