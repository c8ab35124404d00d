import { CumulocityError } from '@depot/common';

/** One lexical unit of the inventory query language. */
export type QueryToken =
  | { kind: 'open' | 'close' | 'comma'; at: number }
  /** `$filter=` or `$orderby=` (lower-cased name without `$` and `=`). */
  | { kind: 'clause'; name: string; at: number }
  /** A name, a dotted fragment path or a keyword (`and`, `eq`, `has`, `asc`...), as written. */
  | { kind: 'word'; text: string; at: number }
  /** Text between single quotes, split at each unescaped `*` (one segment: no wildcard). */
  | { kind: 'string'; segments: string[]; at: number }
  | { kind: 'number'; text: string; at: number };

/** Longest query Depot parses; a longer one is a 422 rather than work. */
export const MAX_QUERY_LENGTH = 4096;

const WORD = /[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*/y;
// A trailing type suffix (`5f`, `5d`, `5L`) is what @c8y/client and Java clients write after numbers.
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[fFdDlL]?/y;
const CLAUSE = /\$([A-Za-z]+)=/y;

/**
 * Splits a query into tokens. Strings are in single quotes: `''` is one quote and a backslash
 * takes the next character literally (`\\`, `\(`, `\*`), as @c8y/client escapes them; an unescaped
 * `*` is a wildcard. Blanks and `+` (a form-encoded blank some clients leave encoded) separate tokens.
 */
export function tokenizeInventoryQuery(text: string): QueryToken[] {
  if (text.length > MAX_QUERY_LENGTH)
    throw invalidQuery(`the query has ${text.length} characters; at most ${MAX_QUERY_LENGTH} are allowed`);
  const tokens: QueryToken[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (/\s|\+/.test(char)) {
      at++;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: char === '(' ? 'open' : char === ')' ? 'close' : 'comma', at });
      at++;
    } else if (char === "'") {
      const { segments, end } = readString(text, at);
      tokens.push({ kind: 'string', segments, at });
      at = end;
    } else {
      const [matched, kind] = matchAt(text, at);
      if (kind === 'clause') tokens.push({ kind, name: /\$([A-Za-z]+)/.exec(matched)![1].toLowerCase(), at });
      else tokens.push({ kind, text: matched, at });
      at += matched.length;
    }
  }
  return tokens;
}

function matchAt(text: string, at: number): [string, 'clause' | 'word' | 'number'] {
  for (const [pattern, kind] of [
    [CLAUSE, 'clause'],
    [NUMBER, 'number'],
    [WORD, 'word'],
  ] as const) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    // A number must not run into a word (`5abc`).
    if (match && !(kind === 'number' && /[A-Za-z_]/.test(text[at + match[0].length] ?? '')))
      return [match[0], kind];
  }
  throw invalidQuery(`unexpected ${JSON.stringify(text[at])} at position ${at + 1}`);
}

function readString(text: string, start: number): { segments: string[]; end: number } {
  const segments: string[] = [];
  let current = '';
  let at = start + 1;
  while (at < text.length) {
    const char = text[at];
    if (char === "'" && text[at + 1] === "'") {
      current += "'";
      at += 2;
    } else if (char === "'") {
      segments.push(current);
      return { segments, end: at + 1 };
    } else if (char === '\\' && at + 1 < text.length) {
      current += text[at + 1];
      at += 2;
    } else if (char === '*') {
      segments.push(current);
      current = '';
      at++;
    } else {
      current += char;
      at++;
    }
  }
  throw invalidQuery(`the string starting at position ${start + 1} has no closing quote`);
}

/** The 422 every query problem is: it names what Depot could not understand or does not support. */
export function invalidQuery(detail: string): CumulocityError {
  return CumulocityError.invalidData('inventory', `Invalid query: ${detail}`);
}
