// Linux /proc readings of another process, shared by the benchmarks (the parsing is in bench-stats.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { cpuSecondsOfStat, statusFieldMiB } from './bench-stats';

/** Peak resident set of `pid` in MiB since start or the last `resetPeakRss` (VmHWM). */
export function peakRssMiB(pid: number): number {
  return statusFieldMiB(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmHWM');
}

/** Current resident set of `pid` in MiB (VmRSS). */
export function rssMiB(pid: number): number {
  return statusFieldMiB(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
}

/** Resets VmHWM to the current RSS (Linux clear_refs 5); false if the kernel refuses. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds (user + system, all threads) `pid` has used so far; clock ticks are 100 Hz on Linux. */
export function cpuSeconds(pid: number): number {
  return cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}
