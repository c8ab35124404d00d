import type { IncomingMessage } from 'node:http';
import { etagMatches } from './binary-etag';

/** What the download request asks for, from its headers. */
export interface DownloadConditions {
  range?: string;
  ifRange?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

/** The conditional and range headers of a request (repeated headers joined, as HTTP allows). */
export function downloadConditionsOf(request: IncomingMessage): DownloadConditions {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  return {
    range: header('range'),
    ifRange: header('if-range'),
    ifNoneMatch: header('if-none-match'),
    ifModifiedSince: header('if-modified-since'),
  };
}

/** The stored representation the conditions are evaluated against. */
export interface DownloadTarget {
  etag: string;
  lastModified: Date;
  length: number;
}

/** Inclusive byte offsets, already resolved against the length. */
export interface ResolvedRange {
  start: number;
  end: number;
}

export type DownloadPlan =
  { status: 304 } | { status: 200 } | { status: 206; range: ResolvedRange } | { status: 416 };

/**
 * RFC 9110 evaluation for a GET/HEAD of a binary: `If-None-Match` (or, without it,
 * `If-Modified-Since`) gives 304; a single satisfiable `Range` gives 206 unless `If-Range` names
 * another version; an unsatisfiable one gives 416. Several ranges or a malformed header are ignored
 * (a full 200), which RFC 9110 allows.
 */
export function planDownload(target: DownloadTarget, conditions: DownloadConditions): DownloadPlan {
  if (conditions.ifNoneMatch !== undefined) {
    if (etagMatches(conditions.ifNoneMatch, target.etag, true)) return { status: 304 };
  } else if (conditions.ifModifiedSince !== undefined) {
    const since = Date.parse(conditions.ifModifiedSince);
    if (!Number.isNaN(since) && Math.floor(target.lastModified.getTime() / 1000) * 1000 <= since)
      return { status: 304 };
  }
  if (conditions.range === undefined) return { status: 200 };
  if (conditions.ifRange !== undefined && !ifRangeHolds(conditions.ifRange, target)) return { status: 200 };
  const parsed = parseRange(conditions.range, target.length);
  if (parsed === 'ignore') return { status: 200 };
  if (parsed === 'unsatisfiable') return { status: 416 };
  return { status: 206, range: parsed };
}

function ifRangeHolds(ifRange: string, target: DownloadTarget): boolean {
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return etagMatches(value, target.etag, false);
  const date = Date.parse(value);
  return !Number.isNaN(date) && date === Math.floor(target.lastModified.getTime() / 1000) * 1000;
}

/** One `bytes=` range against `length`; several ranges and junk are ignored. */
export function parseRange(header: string, length: number): ResolvedRange | 'ignore' | 'unsatisfiable' {
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return 'ignore';
  const [, first, last] = match;
  if (first === '' && last === '') return 'ignore';
  if (first === '') {
    // Suffix range: the last N bytes.
    const suffix = Number(last);
    if (suffix === 0 || length === 0) return 'unsatisfiable';
    return { start: Math.max(0, length - suffix), end: length - 1 };
  }
  const start = Number(first);
  const end = last === '' ? length - 1 : Math.min(Number(last), length - 1);
  if (last !== '' && Number(last) < start) return 'ignore';
  if (start >= length) return 'unsatisfiable';
  return { start, end };
}
