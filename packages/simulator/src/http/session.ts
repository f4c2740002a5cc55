import type { ServerResponse } from 'node:http';

/**
 * The lifetime of one response. Paced and stalled responses sleep between writes; when the client goes away
 * (or the simulator closes) every pending sleep wakes at once and the writer stops, so nothing leaks.
 */
export class ResponseSession {
  closed = false;
  private readonly pending = new Map<NodeJS.Timeout, () => void>();

  constructor(readonly res: ServerResponse) {
    res.on('close', () => this.close());
  }

  sleep(ms: number): Promise<void> {
    if (this.closed || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.set(timer, resolve);
    });
  }

  write(text: string): void {
    if (!this.closed) this.res.write(text);
  }

  /**
   * Holds the response for `durationMs` (undefined: until the client or the simulator closes the connection),
   * writing `text` every `everyMs` meanwhile (0: silence): a stalled upstream, or one keeping the connection alive.
   */
  async hold(durationMs: number | undefined, everyMs: number, text: string): Promise<void> {
    const until = durationMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + durationMs;
    while (!this.closed) {
      const left = until - Date.now();
      if (left <= 0) return;
      const wait = everyMs > 0 ? Math.min(everyMs, left) : left;
      if (!Number.isFinite(wait)) {
        // Silent and endless: parked until the client or the simulator closes the connection.
        await new Promise<void>((resolve) => this.res.once('close', () => resolve()));
        return;
      }
      await this.sleep(wait);
      if (everyMs > 0 && Date.now() < until) this.write(text);
    }
  }

  /**
   * Runs `finish` (the writes that end the response at once) after the I/O callbacks of this event-loop turn, unless
   * the response closed meanwhile. Answers computed in one turn then reach their sockets back to back and the
   * client is woken once for the lot rather than once per answer: under load that cut the simulator's CPU per
   * answer by about a third (bench/throughput.ts). Rejects with what `finish` throws, for the request's 500.
   */
  finishSoon(finish: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        if (this.closed || this.res.destroyed) return resolve();
        try {
          finish();
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [timer, wake] of this.pending) {
      clearTimeout(timer);
      wake();
    }
    this.pending.clear();
  }

  /** Connection reset (TCP RST) before anything was sent: the client's request fails outright. */
  reset(): void {
    const socket = this.res.socket;
    this.close();
    if (socket && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else this.res.destroy();
  }

  /** Writes `text`, then drops the connection once it is on the wire, leaving the body unfinished (the client sees
   * a premature close, like a TLS drop mid-stream). A RST here could discard the bytes still in flight. */
  breakAfter(text: string): void {
    if (this.closed) return;
    const socket = this.res.socket;
    this.res.write(text, () => {
      this.close();
      socket?.destroy();
    });
  }
}
