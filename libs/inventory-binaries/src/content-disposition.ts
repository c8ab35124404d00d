/**
 * `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>` (RFC 6266 / 8187). The
 * quoted form keeps only printable ASCII without quotes, backslashes or path separators, so any
 * stored name (quotes, CR/LF, `../`, non-Latin script) yields a valid, harmless header.
 */
export function contentDisposition(name: string): string {
  const base = name.replace(/[/\\]/g, '_');
  const ascii = base.replace(/[^\x20-\x7e]|["%]/g, '_').trim() || 'download';
  const encoded = encodeURIComponent(base).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
