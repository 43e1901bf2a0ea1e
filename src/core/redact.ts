/**
 * Credential redaction. Every URL that reaches a log line, an event, an error or an API response
 * goes through here: `rtsp://user:pass@host/x` → `rtsp://user:***@host/x`.
 */

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]*)(:[^/\s@]*)?@/gi;
const SECRET_QUERY = /([?&](?:token|access_token|password|passwd|pwd|key|api_key|apikey|secret|auth|signature|sig)=)[^&\s"']*/gi;
const BEARER = /(bearer\s+)[a-z0-9._~+/=-]+/gi;

/** Redacts credentials in a URL (user kept, password and secret query parameters replaced by `***`). */
export function redactUrl(url: string): string {
  return redactText(url);
}

/** Redacts every URL credential, secret query parameter and bearer token in free text. */
export function redactText(text: string): string {
  return text
    .replace(URL_CREDENTIALS, (_m, scheme: string, user: string, pass: string | undefined) =>
      pass ? `${scheme}${user}:***@` : user ? `${scheme}***@` : `${scheme}@`,
    )
    .replace(SECRET_QUERY, '$1***')
    .replace(BEARER, '$1***');
}

const SECRET_KEYS = /^(password|passwd|pwd|token|apiToken|authToken|secret|authorization|apiKey|key)$/i;

/** Deep-copies a plain object, redacting secret-named keys and credentials inside strings. */
export function redactObject<T>(value: T): T {
  return walk(value, '') as T;
}

function walk(v: unknown, key: string): unknown {
  if (typeof v === 'string') return SECRET_KEYS.test(key) && v.length > 0 ? '***' : redactText(v);
  if (Array.isArray(v)) return v.map((x) => walk(x, ''));
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
    return out;
  }
  return v;
}
