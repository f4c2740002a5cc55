import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startGatewayChild } from './bench-processes.js';
import { type CpuProfile, type ProfileSummary, summariseProfile } from './cpu-profile.js';
import { LoadClient, type Target } from './load-client.js';
import { type CpuUse, cpuMeter } from './process-cpu.js';

export type ProfileWorkload = 'non-stream' | 'stream';

export interface GatewayProfile extends ProfileSummary {
  workload: ProfileWorkload;
  /** Requests in the profiled window (after start-up and warm-up, which are left out of the summary). */
  requests: number;
  /** CPU of the profiled gateway per request in that window (profiler overhead included), from /proc. */
  cpu?: CpuUse;
}

export interface ProfileOptions {
  workload: ProfileWorkload;
  /** Directory for the profiled gateway's ledger and profile (removed here). */
  parentDir: string;
  upstreamBaseURL: string;
  gatewayTarget: Omit<Target, 'origin'>;
  body: string;
  /** Seconds of sequential requests (c=1) while profiling, after `warmupSeconds` left out of the summary. */
  seconds: number;
  warmupSeconds: number;
  lifetimeMs: number;
}

/**
 * Where the gateway's time goes: a second gateway child under `node --cpu-prof` takes a bounded burst of sequential
 * requests of one kind, is stopped gracefully (which writes the profile), and the profile is summarised with
 * gateway and SDK frames mapped to their `src/` lines.
 */
export async function profileGateway(options: ProfileOptions): Promise<GatewayProfile> {
  const dir = mkdtempSync(join(options.parentDir, `profile-${options.workload}-`));
  try {
    const spawnedAt = performance.now();
    const gateway = await startGatewayChild({
      cwd: dir,
      dbPath: join(dir, 'ledger.db'),
      upstreamBaseURL: options.upstreamBaseURL,
      lifetimeMs: options.lifetimeMs,
      nodeArgs: ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir],
    });
    let requests = 0;
    let skipMs = 0;
    let cpu: CpuUse | undefined;
    try {
      const client = new LoadClient({ ...options.gatewayTarget, origin: gateway.origin }, 1);
      const one = () => (options.workload === 'stream' ? client.stream(options.body) : client.once(options.body));
      try {
        const warm = performance.now() + options.warmupSeconds * 1000;
        for (let i = 0; i < 200_000 && performance.now() < warm; i++) await one();
        // The child's profile clock starts a little after the spawn: skipping by the parent's clock errs on the safe side.
        skipMs = performance.now() - spawnedAt;
        const meter = cpuMeter(gateway.pid);
        const until = performance.now() + options.seconds * 1000;
        for (let i = 0; i < 200_000 && performance.now() < until; i++) {
          await one();
          requests++;
        }
        cpu = meter(requests);
      } finally {
        await client.close();
      }
    } finally {
      await gateway.stop();
    }
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error(`the profiled gateway wrote no .cpuprofile (output: ${gateway.output().slice(-500)})`);
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    return { workload: options.workload, requests, cpu, ...summariseProfile(profile, { skipMs }) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
