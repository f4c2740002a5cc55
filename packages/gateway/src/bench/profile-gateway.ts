import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startGatewayChild } from './bench-processes.js';
import { type CpuProfile, type ProfileSummary, summariseProfile } from './cpu-profile.js';
import { LoadClient, type Target } from './load-client.js';

export type ProfileWorkload = 'non-stream' | 'stream';

export interface GatewayProfile extends ProfileSummary {
  workload: ProfileWorkload;
  requests: number;
}

export interface ProfileOptions {
  workload: ProfileWorkload;
  /** Directory for the profiled gateway's ledger and profile (removed here). */
  parentDir: string;
  upstreamBaseURL: string;
  gatewayTarget: Omit<Target, 'origin'>;
  body: string;
  /** Seconds of sequential requests (c=1) while profiling. */
  seconds: number;
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
    const gateway = await startGatewayChild({
      cwd: dir,
      dbPath: join(dir, 'ledger.db'),
      upstreamBaseURL: options.upstreamBaseURL,
      lifetimeMs: options.lifetimeMs,
      nodeArgs: ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir],
    });
    let requests = 0;
    try {
      const client = new LoadClient({ ...options.gatewayTarget, origin: gateway.origin }, 1);
      try {
        const until = performance.now() + options.seconds * 1000;
        for (let i = 0; i < 200_000 && performance.now() < until; i++) {
          if (options.workload === 'stream') await client.stream(options.body);
          else await client.once(options.body);
          requests++;
        }
      } finally {
        await client.close();
      }
    } finally {
      await gateway.stop();
    }
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error(`the profiled gateway wrote no .cpuprofile (output: ${gateway.output().slice(-500)})`);
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    return { workload: options.workload, requests, ...summariseProfile(profile) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
