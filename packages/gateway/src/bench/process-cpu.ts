import { readFileSync } from 'node:fs';

/** CPU time a process has used, and time it spent runnable but waiting for a CPU, in ms (Linux /proc). */
export interface CpuReading {
  cpuMs: number;
  /** Run-queue wait (from `/proc/<pid>/schedstat`); undefined where only `/proc/<pid>/stat` is available. */
  waitMs?: number;
}

/** What a process used between two readings, per request. */
export interface CpuUse {
  /** CPU time per request, µs. */
  cpuUsPerRequest: number;
  /** Time spent waiting for a CPU per request, µs (scheduling delay on a busy machine). */
  waitUsPerRequest?: number;
  /** CPU time as a share of one core over the interval, %. */
  corePercent: number;
}

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ: 100 on every mainstream Linux build). */
const USER_HZ = 100;

export function readCpu(pid: number): CpuReading | undefined {
  try {
    const [onCpuNs, waitNs] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isFinite(onCpuNs) && onCpuNs! > 0) return { cpuMs: onCpuNs! / 1e6, waitMs: waitNs! / 1e6 };
  } catch {
    // no schedstat: fall back to stat
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? { cpuMs: (ticks * 1000) / USER_HZ } : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a measurement of `pid`; the returned function ends it for `requests` requests. */
export function cpuMeter(pid: number): (requests: number) => CpuUse | undefined {
  const start = readCpu(pid);
  const t0 = performance.now();
  return (requests) => {
    const end = readCpu(pid);
    const wallMs = performance.now() - t0;
    if (!start || !end || requests <= 0 || wallMs <= 0) return undefined;
    const cpuMs = end.cpuMs - start.cpuMs;
    const waitMs = start.waitMs === undefined || end.waitMs === undefined ? undefined : end.waitMs - start.waitMs;
    return {
      cpuUsPerRequest: (1000 * cpuMs) / requests,
      waitUsPerRequest: waitMs === undefined ? undefined : (1000 * waitMs) / requests,
      corePercent: (100 * cpuMs) / wallMs,
    };
  };
}
