import parseRange from 'range-parser';
import { etagMatches } from './etag-matches';

/** The conditional and range headers of a download request. */
export interface DownloadConditions {
  range?: string;
  ifRange?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

/** What the conditions are evaluated against: the stored representation's validators and size. */
export interface DownloadValidators {
  /** Strong and quoted. */
  etag: string;
  lastModified: Date;
  length: number;
}

/** Inclusive byte offsets within the content. */
export interface ByteSpan {
  start: number;
  end: number;
}

export type DownloadPlan =
  { status: 304 } | { status: 200 } | { status: 206; range: ByteSpan } | { status: 416 };

/**
 * RFC 9110 for a GET/HEAD: `If-None-Match` (weakly compared) or, without it, `If-Modified-Since`
 * gives 304; one satisfiable `Range` gives 206 unless `If-Range` names another version; a range
 * that selects no byte gives 416. Several ranges that do not merge into one, another unit or a
 * malformed header are ignored (a full 200, which RFC 9110 allows): no multipart/byteranges.
 */
export function planDownload(target: DownloadValidators, conditions: DownloadConditions): DownloadPlan {
  if (conditions.ifNoneMatch !== undefined) {
    if (etagMatches(conditions.ifNoneMatch, target.etag, true)) return { status: 304 };
  } else if (conditions.ifModifiedSince !== undefined) {
    const since = Date.parse(conditions.ifModifiedSince);
    if (!Number.isNaN(since) && wholeSeconds(target.lastModified) <= since) return { status: 304 };
  }
  if (conditions.range === undefined) return { status: 200 };
  if (conditions.ifRange !== undefined && !ifRangeHolds(conditions.ifRange, target)) return { status: 200 };
  const ranges = parseRange(target.length, clampSuffixes(conditions.range, target.length), { combine: true });
  if (ranges === -1) return { status: 416 };
  if (ranges === -2 || ranges.type.trim().toLowerCase() !== 'bytes' || ranges.length !== 1)
    return { status: 200 };
  return { status: 206, range: { start: ranges[0].start, end: ranges[0].end } };
}

function ifRangeHolds(ifRange: string, target: DownloadValidators): boolean {
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return etagMatches(value, target.etag, false);
  const date = Date.parse(value);
  return !Number.isNaN(date) && date === wholeSeconds(target.lastModified);
}

/**
 * range-parser refuses a suffix (`-n`) longer than the content; RFC 9110 (14.1.3) serves all of it.
 */
function clampSuffixes(range: string, length: number): string {
  return range.replace(
    /([=,])\s*-\s*(\d+)/g,
    (_, separator: string, suffix: string) => `${separator}-${Math.min(Number(suffix), length)}`,
  );
}

/** HTTP dates have whole seconds; `Last-Modified` drops the milliseconds. */
function wholeSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000) * 1000;
}
