/**
 * `switchyard bench`: the gateway's added latency and throughput, measured in one run against the simulator.
 *
 * The simulator (`switchyard simulate --pace instant`) and the gateway (`switchyard serve`, routed to the simulator as
 * its OpenRouter upstream, with a throwaway SQLite ledger) run as child processes, as a user would run them. The
 * same client (an undici keep-alive pool) then calls the simulator directly and through the gateway:
 *   1. non-stream chat at c=1, direct and gateway interleaved in blocks after a warm-up of both → added p50/p99;
 *   2. streamed chat at c=1, the same way → added time to first byte and to first content token;
 *   3. a closed-loop concurrency sweep → requests/s of each side;
 * plus the gateway's resident memory idle and after the sweep. Budgets are printed PASS/FAIL; a missed one has the
 * gateway profiled (`--cpu-prof`, a second child) unless `--no-profile`.
 *
 * Rules: traffic only to 127.0.0.1; every loop bounded by count and time, every request by a timeout; children are
 * stopped in `finally`, on SIGINT/SIGTERM and at the hard deadline (and stop themselves if this process dies, see
 * child-guard.ts). Exit code 1 with `--check` when a budget is missed, 2 when the bench itself failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type BenchChild,
  killChildrenNow,
  startFloorProxyChild,
  startGatewayChild,
  startSimulatorChild,
  terminateChildren,
} from './bench-processes.js';
import type { BenchResult, BenchSettings, FloorResult, StreamSummary } from './bench-result.js';
import { judge } from './budgets.js';
import { interleaved, samplesPerSide } from './interleave.js';
import { LoadClient, type StreamTiming, type Target } from './load-client.js';
import { cpuMeter } from './process-cpu.js';
import { type GatewayProfile, type ProfileWorkload, profileGateway } from './profile-gateway.js';
import { printReport, verdictLine, writeJson } from './report.js';
import { gatewayRss } from './rss.js';
import { summarize } from './stats.js';
import { type SweepPoint, sweep } from './sweep.js';

export interface RunBenchOptions extends BenchSettings {
  /** Where the JSON goes (its directory is created). */
  jsonPath: string;
  /** Exit code 1 when a budget is missed (else 0 whatever the verdicts). */
  check: boolean;
  /** Profile the gateway always, never, or when a budget is missed. */
  profile: 'auto' | 'always' | 'never';
  write?: (line: string) => void;
}

const PROFILE_SECONDS = 4;
const PROFILE_WARMUP_SECONDS = 1.5;
/** Time a profile needs (start, load, graceful stop, summary); skipped when less is left before the deadline. */
const PROFILE_BUDGET_MS = 15_000;
/** Measurements give up this long before the hard deadline, so that the run can still fail gracefully. */
const MEASURE_MARGIN_MS = 10_000;
const MESSAGES = [{ role: 'user', content: 'Hello, world!' }];

const streamSummary = (samples: StreamTiming[]): StreamSummary => ({
  ttfb: summarize(samples.map((s) => s.ttfbMs)),
  ttft: summarize(samples.map((s) => s.ttftMs)),
  total: summarize(samples.map((s) => s.totalMs)),
});

function best(points: SweepPoint[], side: 'direct' | 'gateway') {
  let top = { rps: 0, concurrency: 0 };
  for (const p of points) if (p[side].rps > top.rps) top = { rps: p[side].rps, concurrency: p.concurrency };
  return top;
}

function floorOf(
  plain: Record<'direct' | 'gateway', number[]>,
  streamed: Record<'direct' | 'gateway', StreamTiming[]>,
  points: SweepPoint[],
): FloorResult {
  const direct = summarize(plain.direct);
  const proxy = summarize(plain.gateway);
  const sDirect = streamSummary(streamed.direct);
  const sProxy = streamSummary(streamed.gateway);
  const top = { direct: best(points, 'direct').rps, proxy: best(points, 'gateway').rps };
  return {
    nonStream: { direct, proxy, added: { p50: proxy.p50 - direct.p50, p99: proxy.p99 - direct.p99 } },
    stream: {
      direct: sDirect,
      proxy: sProxy,
      added: { ttftP50: sProxy.ttft.p50 - sDirect.ttft.p50, ttftP99: sProxy.ttft.p99 - sDirect.ttft.p99 },
    },
    sweep: points,
    throughputRatio: top.direct > 0 ? top.proxy / top.direct : Number.NaN,
  };
}

function validate(settings: BenchSettings): void {
  const positive = (name: string, value: number) => {
    if (!(Number.isFinite(value) && value > 0)) throw new Error(`${name} must be a positive number, got ${value}`);
  };
  positive('--requests', settings.requests);
  positive('--streams', settings.streams);
  positive('--sweep-seconds', settings.sweepSeconds);
  positive('--deadline', settings.deadlineSeconds);
  if (settings.warmup < 0 || settings.streamWarmup < 0) throw new Error('warm-up counts must be ≥ 0');
  if (settings.requests > 1_000_000 || settings.streams > 1_000_000) throw new Error('at most 1,000,000 requests');
  if (settings.sweepSeconds > 60) throw new Error('--sweep-seconds is at most 60');
  if (settings.concurrency.length === 0 || settings.concurrency.some((c) => !Number.isInteger(c) || c < 1 || c > 1024))
    throw new Error('--concurrency takes integers between 1 and 1024');
}

/** Runs the bench and returns the process exit code (0, 1 = budget missed with `check`, 2 = the bench failed). */
export async function runBench(options: RunBenchOptions): Promise<number> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const settings: BenchSettings = {
    requests: options.requests,
    warmup: options.warmup,
    streams: options.streams,
    streamWarmup: options.streamWarmup,
    block: options.block,
    concurrency: options.concurrency,
    sweepSeconds: options.sweepSeconds,
    model: options.model,
    deadlineSeconds: options.deadlineSeconds,
  };
  validate(settings);
  const startedAt = new Date();
  const started = Date.now();
  const hardDeadline = started + settings.deadlineSeconds * 1000;
  const deadline = hardDeadline - Math.min(MEASURE_MARGIN_MS, settings.deadlineSeconds * 100);
  const lifetimeMs = settings.deadlineSeconds * 1000 + 30_000;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const clients: LoadClient[] = [];
  const children: BenchChild[] = [];

  const abandon = (why: string): never => {
    process.stderr.write(`switchyard bench: ${why}; stopping\n`);
    killChildrenNow();
    rmSync(dir, { recursive: true, force: true });
    process.exit(2);
  };
  const watchdog = setTimeout(
    () => abandon(`hard deadline of ${settings.deadlineSeconds} s passed`),
    hardDeadline - Date.now(),
  );
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) abandon(`second ${signal}`);
    signalled = signal;
    process.stderr.write(`switchyard bench: ${signal}; stopping the simulator and the gateway\n`);
    terminateChildren();
    for (const client of clients) void client.destroy().catch(() => {});
    setTimeout(() => abandon(`the run did not wind down within 3 s of ${signal}`), 3_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    write(
      `switchyard gateway bench — node ${process.version}, ${cpus().length} CPUs, load average ` +
        `${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );
    const loadavgStart = loadavg();
    if (loadavgStart[0]! > 0.75 * cpus().length) {
      write('note: other processes keep this machine busy; latency figures are noisier than usual');
    }

    const simulator = await startSimulatorChild({ cwd: dir, lifetimeMs });
    children.push(simulator);
    const simulatorBase = `${simulator.origin}/api/v1`;
    const gateway = await startGatewayChild({
      cwd: dir,
      dbPath: join(dir, 'ledger.db'),
      upstreamBaseURL: simulatorBase,
      lifetimeMs,
    });
    children.push(gateway);
    write(`simulator: ${simulator.origin} (pid ${simulator.pid}, instant pacing)`);
    write(`gateway:   ${gateway.origin} (pid ${gateway.pid}, upstream = the simulator, SQLite ledger in ${dir})`);
    await new Promise((done) => setTimeout(done, 250));
    const idle = await gatewayRss(gateway.pid, gateway.origin);

    const headers = { authorization: 'Bearer sk-or-v1-switchyard-bench' };
    const path = '/api/v1/chat/completions';
    const direct: Target = { side: 'direct', origin: simulator.origin, path, headers };
    const through: Target = { side: 'gateway', origin: gateway.origin, path, headers };
    const connections = Math.max(...settings.concurrency);
    const c = { direct: new LoadClient(direct, connections), gateway: new LoadClient(through, connections) };
    clients.push(c.direct, c.gateway);
    const body = JSON.stringify({ model: settings.model, messages: MESSAGES });
    const streamBody = JSON.stringify({ model: settings.model, messages: MESSAGES, stream: true });
    const sides = ['direct', 'gateway'] as const;

    write(`measuring non-stream latency (${settings.requests} + ${settings.warmup} warm-up per side) …`);
    const plainShape = {
      count: settings.requests,
      warmup: settings.warmup,
      block: Math.min(settings.block, settings.requests),
    };
    let meters = { gateway: cpuMeter(gateway.pid), simulator: cpuMeter(simulator.pid) };
    const plain = await interleaved({ sides, ...plainShape, deadline, sample: (side) => c[side].once(body) });
    const plainCpu = {
      gateway: meters.gateway(samplesPerSide(plainShape)),
      simulator: meters.simulator(2 * samplesPerSide(plainShape)),
    };
    write(`measuring streams (${settings.streams} + ${settings.streamWarmup} warm-up per side) …`);
    const streamShape = {
      count: settings.streams,
      warmup: settings.streamWarmup,
      block: Math.min(Math.max(1, Math.round(settings.block / 2)), settings.streams),
    };
    meters = { gateway: cpuMeter(gateway.pid), simulator: cpuMeter(simulator.pid) };
    const streamed = await interleaved({
      sides,
      ...streamShape,
      deadline,
      sample: (side) => c[side].stream(streamBody),
    });
    const streamCpu = {
      gateway: meters.gateway(samplesPerSide(streamShape)),
      simulator: meters.simulator(2 * samplesPerSide(streamShape)),
    };
    write(`concurrency sweep (${settings.concurrency.join(', ')}; ${settings.sweepSeconds} s per level and side) …`);
    const points = await sweep({
      clients: c,
      levels: settings.concurrency,
      seconds: settings.sweepSeconds,
      body,
      deadline,
      pids: { gateway: gateway.pid, simulator: simulator.pid },
    });
    const afterSweep = await gatewayRss(gateway.pid, gateway.origin);

    // The reference point: the same three measurements through a proxy without any logic (floor-proxy.ts).
    write('the same through a minimal proxy (node:http + undici, no logic), for reference …');
    const proxy = await startFloorProxyChild({ cwd: dir, upstreamOrigin: simulator.origin, lifetimeMs });
    children.push(proxy);
    const proxyClient = new LoadClient({ side: 'gateway', origin: proxy.origin, path, headers }, connections);
    clients.push(proxyClient);
    const viaProxy = { direct: c.direct, gateway: proxyClient };
    const proxyMeter = cpuMeter(proxy.pid);
    const floorPlain = await interleaved({
      sides,
      ...plainShape,
      deadline,
      sample: (side) => viaProxy[side].once(body),
    });
    const proxyCpu = proxyMeter(samplesPerSide(plainShape));
    const floorStreamed = await interleaved({
      sides,
      ...streamShape,
      deadline,
      sample: (side) => viaProxy[side].stream(streamBody),
    });
    const floorPoints = await sweep({
      clients: viaProxy,
      levels: settings.concurrency,
      seconds: settings.sweepSeconds,
      body,
      deadline,
      pids: { gateway: proxy.pid, simulator: simulator.pid },
    });
    await proxy.stop();
    const floor = { ...floorOf(floorPlain, floorStreamed, floorPoints), cpu: proxyCpu };

    const nsDirect = summarize(plain.direct);
    const nsGateway = summarize(plain.gateway);
    const sDirect = streamSummary(streamed.direct);
    const sGateway = streamSummary(streamed.gateway);
    const top = { direct: best(points, 'direct'), gateway: best(points, 'gateway') };
    const measured: Omit<BenchResult, 'budgets' | 'profiles'> = {
      schema: 'switchyard-gateway-bench/1',
      startedAt: startedAt.toISOString(),
      durationMs: 0,
      environment: {
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        cpus: cpus().length,
        loadavgStart,
        loadavgEnd: loadavg(),
      },
      settings,
      processes: {
        simulator: { pid: simulator.pid, origin: simulator.origin },
        gateway: { pid: gateway.pid, origin: gateway.origin },
      },
      nonStream: {
        direct: nsDirect,
        gateway: nsGateway,
        added: {
          p50: nsGateway.p50 - nsDirect.p50,
          p90: nsGateway.p90 - nsDirect.p90,
          p99: nsGateway.p99 - nsDirect.p99,
          mean: nsGateway.mean - nsDirect.mean,
        },
      },
      stream: {
        direct: sDirect,
        gateway: sGateway,
        added: {
          ttfbP50: sGateway.ttfb.p50 - sDirect.ttfb.p50,
          ttfbP99: sGateway.ttfb.p99 - sDirect.ttfb.p99,
          ttftP50: sGateway.ttft.p50 - sDirect.ttft.p50,
          ttftP99: sGateway.ttft.p99 - sDirect.ttft.p99,
          totalP50: sGateway.total.p50 - sDirect.total.p50,
        },
      },
      sweep: points,
      throughput: {
        directRps: top.direct.rps,
        directConcurrency: top.direct.concurrency,
        gatewayRps: top.gateway.rps,
        gatewayConcurrency: top.gateway.concurrency,
        ratio: top.direct.rps > 0 ? top.gateway.rps / top.direct.rps : Number.NaN,
      },
      rss: { idle, afterSweep },
      cpu: { nonStream: plainCpu, stream: streamCpu },
      floor,
    };
    const budgets = judge(measured);
    for (const v of budgets) write(`  ${verdictLine(v)}`);

    // The measuring gateway is done: stop it before profiling so the profiled one has the CPU to itself.
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await gateway.stop();
    const workloads: ProfileWorkload[] = [];
    const missed = (prefix: string) => budgets.some((v) => !v.pass && v.name.startsWith(prefix));
    if (options.profile === 'always' || (options.profile === 'auto' && (missed('added latency') || missed('through'))))
      workloads.push('non-stream');
    if (options.profile === 'always' || (options.profile === 'auto' && missed('added time to first')))
      workloads.push('stream');
    const profiles: GatewayProfile[] = [];
    for (const workload of workloads) {
      if (Date.now() + PROFILE_BUDGET_MS > deadline) {
        write(`(not profiling ${workload}: too close to the deadline)`);
        continue;
      }
      write(`profiling the gateway (${workload}, ${PROFILE_WARMUP_SECONDS} s warm-up + ${PROFILE_SECONDS} s at c=1) …`);
      profiles.push(
        await profileGateway({
          workload,
          parentDir: dir,
          upstreamBaseURL: simulatorBase,
          gatewayTarget: { side: 'gateway', path, headers },
          body: workload === 'stream' ? streamBody : body,
          seconds: PROFILE_SECONDS,
          warmupSeconds: PROFILE_WARMUP_SECONDS,
          lifetimeMs,
        }),
      );
    }

    const result: BenchResult = { ...measured, durationMs: Date.now() - started, budgets, profiles };
    printReport(write, result);
    const jsonPath = resolve(options.jsonPath);
    writeJson(jsonPath, result);
    write(`\nJSON: ${jsonPath}`);
    return options.check && budgets.some((v) => !v.pass) ? 1 : 0;
  } catch (error) {
    if (signalled) {
      write(`\nbench interrupted by ${signalled}`);
      return 2;
    }
    write(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`);
    for (const child of children) {
      const tail = child.output().trim().split('\n').slice(-5).join('\n    ');
      if (tail) write(`  last output of the ${child.name}:\n    ${tail}`);
    }
    return 2;
  } finally {
    await Promise.all(clients.map((client) => client.destroy().catch(() => {})));
    await Promise.all(children.map((child) => child.stop()));
    clearTimeout(watchdog);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(dir, { recursive: true, force: true });
  }
}
