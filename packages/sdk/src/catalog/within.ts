/**
 * Waits for advisory data (the catalog a chat consults for preflight and the price guard, the prices an answer's
 * cost is computed at) at most `ms`: `undefined` when it fails or is late. Only the wait ends: the work carries on,
 * and whoever started it caches its result. Its rejection is always handled here, so a late failure never becomes
 * an unhandled rejection. `ms` = Infinity waits as long as the work takes.
 */
export function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = Number.isFinite(ms) ? setTimeout(resolve, Math.max(0, ms), undefined) : undefined;
    const settle = (value: T | undefined) => {
      clearTimeout(timer);
      resolve(value);
    };
    work.then(settle, () => settle(undefined));
  });
}
