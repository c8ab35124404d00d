import {
  childCpuSecondsOfTimes,
  cpuSecondsOfStat,
  cpuSecondsPerGiB,
  GiB,
  median,
  medianPairRatio,
  meets,
  parseWrkResult,
  statusFieldMiB,
} from './bench-stats';

describe('bench-stats', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('takes the median of per-pair ratios, not the ratio of medians', () => {
    // Pairs ran under changing load: 0.5, 0.5, 2 -> 0.5 (the ratio of medians would be 1).
    expect(medianPairRatio([100, 200, 50], [50, 100, 100])).toBe(0.5);
    expect(() => medianPairRatio([1], [1, 2])).toThrow('as many');
  });

  it('turns CPU seconds into seconds per GiB', () => {
    expect(cpuSecondsPerGiB(1, GiB / 4)).toBe(4);
  });

  it('reads utime + stime from /proc/<pid>/stat, with spaces in the command name', () => {
    const stat = '4242 (node main) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 12 0 100 0';
    expect(cpuSecondsOfStat(stat)).toBe(3);
  });

  it('reads VmRSS and VmHWM in MiB from /proc/<pid>/status', () => {
    const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n';
    expect(statusFieldMiB(status, 'VmHWM')).toBe(200);
    expect(statusFieldMiB(status, 'VmRSS')).toBe(100);
  });

  it("adds the children's user and system seconds of bash's times", () => {
    expect(childCpuSecondsOfTimes('0m0.010s 0m0.002s\n1m2.500s 0m0.250s\n')).toBeCloseTo(62.75);
    expect(() => childCpuSecondsOfTimes('nonsense')).toThrow('times');
  });

  it("parses the wrk script's result line", () => {
    const output =
      'Running 6s test\nWRK_RESULT {"requests":600,"duration_us":6000000,"p50_us":2500,"p99_us":40000,"errors":3}\n';
    expect(parseWrkResult(output)).toEqual({
      requests: 600,
      durationSeconds: 6,
      requestsPerSecond: 100,
      p50Ms: 2.5,
      p99Ms: 40,
      errors: 3,
    });
    expect(() => parseWrkResult('no result')).toThrow('no result');
  });

  it('checks targets, and never meets one with NaN', () => {
    expect(meets(0.3, { atLeast: 0.25 })).toBe(true);
    expect(meets(0.2, { atLeast: 0.25 })).toBe(false);
    expect(meets(51, { atMost: 50 })).toBe(false);
    expect(meets(Number.NaN, { atMost: 50 })).toBe(false);
  });
});
