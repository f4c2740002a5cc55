import { readFileSync } from 'node:fs';
import { request } from 'undici';

export interface RssReading {
  bytes: number;
  /** Peak resident set of the process so far (VmHWM), when /proc has it. */
  peakBytes?: number;
  source: 'proc' | 'metrics';
}

function procField(status: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** `VmRSS` (and `VmHWM`) of a process from `/proc/<pid>/status` (Linux); undefined elsewhere. */
export function procRss(pid: number): RssReading | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const bytes = procField(status, 'VmRSS');
    return bytes === undefined ? undefined : { bytes, peakBytes: procField(status, 'VmHWM'), source: 'proc' };
  } catch {
    return undefined;
  }
}

/** `process_resident_memory_bytes` from the gateway's Prometheus endpoint. */
export async function metricsRss(origin: string): Promise<RssReading | undefined> {
  try {
    const response = await request(`${origin}/metrics`, { headersTimeout: 5_000, bodyTimeout: 5_000 });
    const text = await response.body.text();
    const match = /^process_resident_memory_bytes\s+(\d+(?:\.\d+)?(?:e\+?\d+)?)/m.exec(text);
    return match ? { bytes: Number(match[1]), source: 'metrics' } : undefined;
  } catch {
    return undefined;
  }
}

/** Resident memory of the gateway child: /proc when available, else its /metrics. */
export async function gatewayRss(pid: number, origin: string): Promise<RssReading | undefined> {
  return procRss(pid) ?? (await metricsRss(origin));
}
