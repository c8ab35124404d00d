import { CumulocityError } from './cumulocity-error';

/** Deeper than any Cumulocity document needs; deep enough input overflows recursive code (jsonb, stringify). */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses JSON text from a client (a request body, a multipart `object` part) into a value the rest of
 * the server may store: malformed text is a 400, nesting deeper than `MAX_JSON_DEPTH` or U+0000 in
 * any string or key (PostgreSQL text and jsonb cannot hold it) a 422. `what` names the input in the
 * message, e.g. `The request body`; `resource` is the error code's `<resource>`.
 */
export function parseJsonText(text: string, what: string, resource = 'general'): unknown {
  let value: unknown;
  try {
    // V8's parser is iterative, so even 100 000 levels parse; the walk below is bounded by the depth.
    value = JSON.parse(text);
  } catch {
    throw CumulocityError.badRequest(resource, `${what} is not valid JSON`);
  }
  const problem = findProblem(value, 1);
  if (problem) throw CumulocityError.invalidData(resource, `${what} ${problem}`);
  return value;
}

function findProblem(value: unknown, depth: number): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? NUL : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth > MAX_JSON_DEPTH) return `nests deeper than ${MAX_JSON_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      const problem = findProblem(item, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return NUL;
    const problem = findProblem(item, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

const NUL = 'must not contain U+0000 (\\u0000) in any string or key';
