/** Content codings Depot serves from precompressed files in an archive, by preference, with their suffix. */
export const PRECOMPRESSED_ENCODINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
] as const;

export type PrecompressedEncoding = (typeof PRECOMPRESSED_ENCODINGS)[number][0];

/**
 * The precompressed representation to send for an `Accept-Encoding` header (RFC 9110 12.5.3): the
 * available coding with the highest q-value, `br` before `gzip` on a tie; `q=0` refuses a coding, `*`
 * stands for codings not named, `x-gzip` is `gzip`. No header means identity (RFC 9110 allows any
 * coding then, but a client that sends none may not decode one).
 */
export function selectEncoding(
  acceptEncoding: string | undefined,
  available: readonly PrecompressedEncoding[],
): PrecompressedEncoding | undefined {
  if (acceptEncoding === undefined || available.length === 0) return undefined;
  const weights = new Map<string, number>();
  for (const item of acceptEncoding.split(',')) {
    const [rawCoding, ...parameters] = item.split(';');
    const coding = rawCoding.trim().toLowerCase();
    if (coding === '') continue;
    let q = 1;
    for (const parameter of parameters) {
      const [name, value] = parameter.split('=').map((part) => part.trim().toLowerCase());
      if (name !== 'q') continue;
      const parsed = Number(value);
      q = Number.isFinite(parsed) && parsed >= 0 && parsed <= 1 ? parsed : 0;
    }
    const name = coding === 'x-gzip' ? 'gzip' : coding;
    weights.set(name, Math.max(weights.get(name) ?? 0, q));
  }
  let best: PrecompressedEncoding | undefined;
  let bestQ = 0;
  // Preference order: a later coding wins only with a strictly higher q.
  for (const [encoding] of PRECOMPRESSED_ENCODINGS) {
    if (!available.includes(encoding)) continue;
    const q = weights.get(encoding) ?? weights.get('*') ?? 0;
    if (q > bestQ) {
      best = encoding;
      bestQ = q;
    }
  }
  return best;
}
