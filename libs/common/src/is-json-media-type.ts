/**
 * True for `application/json` and any `application/vnd.com.nsn.cumulocity.<type>+json`, in any
 * letter case and with any parameters (`ver=0.9`, `charset=UTF-8`).
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const essence = contentType.split(';')[0].trim().toLowerCase();
  return (
    essence === 'application/json' ||
    /^application\/vnd\.com\.nsn\.cumulocity\.[a-z0-9._-]+\+json$/.test(essence)
  );
}
