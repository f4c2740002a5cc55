/** Immediate resends of a request that met a keep-alive socket the server had just closed. */
const STALE_SOCKET_RESENDS = 2;

/**
 * Whether a request failed, before any answer, on a pooled keep-alive socket that had already carried a response and
 * that the server closed as it was reused (its idle timeout firing just then, or `Connection: close` ignored): the
 * classic keep-alive race. It says nothing about the upstream. undici's socket error comes bare from
 * `Dispatcher.request` and as the `cause` of WHATWG fetch's TypeError, so the causes are walked.
 */
export function isStaleKeepAlive(error: unknown): boolean {
  for (let e = error as { code?: unknown; socket?: { bytesRead?: unknown }; cause?: unknown } | undefined; e; ) {
    if (e.code === 'UND_ERR_SOCKET' || e.code === 'ECONNRESET' || e.code === 'EPIPE') {
      return typeof e.socket?.bytesRead === 'number' && e.socket.bytesRead > 0;
    }
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * `fetcher` that sends a request again at once (twice at most) when it met a just-closed keep-alive socket, rather
 * than surfacing a connection error that costs a retry backoff (or fails outright with retries off). The body must
 * be replayable (a string, as every switchyard request is). Not after an abort.
 */
export function resendOnStaleSocket(fetcher: typeof fetch): typeof fetch {
  return async (input, init) => {
    for (let resent = 0; ; resent++) {
      try {
        return await fetcher(input, init);
      } catch (error) {
        if (resent >= STALE_SOCKET_RESENDS || init?.signal?.aborted || !isStaleKeepAlive(error)) throw error;
      }
    }
  };
}
