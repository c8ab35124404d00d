// Pure arithmetic and parsing of the benchmark harness (unit-tested in bench-stats.spec.ts).

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** The median (mean of the two middle values for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The median of `depot[i] / baseline[i]` over runs taken in turns: each pair saw the same machine
 * load, so the ratio cancels most of what a shared machine does to both, where a ratio of medians
 * would not.
 */
export function medianPairRatio(baseline: readonly number[], depot: readonly number[]): number {
  if (baseline.length !== depot.length) throw new Error('pairs need as many baseline runs as Depot runs');
  return median(baseline.map((value, index) => depot[index] / value));
}

/** CPU seconds spent per GiB moved. */
export function cpuSecondsPerGiB(cpuSeconds: number, bytes: number): number {
  return (cpuSeconds * GiB) / bytes;
}

/** utime + stime in seconds from the text of `/proc/<pid>/stat` (fields 14 and 15; comm may hold spaces). */
export function cpuSecondsOfStat(stat: string, ticksPerSecond = 100): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** A `kB` field (VmRSS, VmHWM) of `/proc/<pid>/status`, in MiB; NaN when absent. */
export function statusFieldMiB(status: string, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * The children's user + system seconds from bash's `times` builtin (second line: `0m1.234s 0m0.5s`),
 * which is how the client's own CPU is measured.
 */
export function childCpuSecondsOfTimes(output: string): number {
  const lines = output.trim().split('\n');
  const children = lines[lines.length - 1];
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map(
    ([, minutes, rest]) => Number(minutes) * 60 + Number(rest),
  );
  if (seconds.length !== 2) throw new Error(`unexpected output of times: ${JSON.stringify(output)}`);
  return seconds[0] + seconds[1];
}

/** What the wrk Lua `done` hook of the harness prints: one JSON line after `WRK_RESULT `. */
export interface WrkResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers with a status >= 400 plus connect, read, write and timeout errors. */
  errors: number;
}

export function parseWrkResult(output: string): WrkResult {
  const line = output.split('\n').find((candidate) => candidate.startsWith('WRK_RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${output}`);
  const raw = JSON.parse(line.slice('WRK_RESULT '.length)) as {
    requests: number;
    duration_us: number;
    p50_us: number;
    p99_us: number;
    errors: number;
  };
  const durationSeconds = raw.duration_us / 1e6;
  return {
    requests: raw.requests,
    durationSeconds,
    requestsPerSecond: raw.requests / durationSeconds,
    p50Ms: raw.p50_us / 1000,
    p99Ms: raw.p99_us / 1000,
    errors: raw.errors,
  };
}

/** Whether `value` meets a target of the form `>= x` or `<= x`. */
export function meets(value: number, target: { atLeast?: number; atMost?: number }): boolean {
  if (!Number.isFinite(value)) return false;
  if (target.atLeast !== undefined && value < target.atLeast) return false;
  if (target.atMost !== undefined && value > target.atMost) return false;
  return true;
}
