// An API key travels in every request's Authorization header, so a base URL is only accepted when the key can't be
// read on the wire: https, or plain http to this machine (a local simulator, Ollama, LM Studio). Anything else needs
// an explicit `allowInsecureHttp`.

/** `localhost`, `127.0.0.0/8` and `[::1]`: hosts that never leave this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  // WHATWG URL has already normalised IPv4 shorthands (`127.1` → `127.0.0.1`), so a dotted quad check suffices.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Why `value` is not an acceptable base URL, or undefined. `normalised` drops trailing slashes, so callers can append
 * `/chat/completions` without producing `//`.
 */
export function checkBaseURL(
  value: string,
  allowInsecureHttp: boolean,
): { ok: true; normalised: string } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: 'not an absolute URL (expected e.g. https://openrouter.ai/api/v1)' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: `unsupported scheme ${url.protocol} (use https:// or http://)` };
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !allowInsecureHttp) {
    return {
      ok: false,
      reason:
        'http:// would send the API key unencrypted; use https://, a loopback host (localhost, 127.0.0.1, [::1]), ' +
        'or set allowInsecureHttp (allow_insecure_http = true) if this network is trusted',
    };
  }
  if (url.search || url.hash) return { ok: false, reason: 'must not contain a query string or fragment' };
  return { ok: true, normalised: value.replace(/\/+$/, '') };
}
