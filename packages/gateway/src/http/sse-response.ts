import type { ServerResponse } from 'node:http';
import { flushNow, writeRespectingBackpressure } from './drain.js';

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/**
 * An SSE response that commits its status late: headers go out with the first frame, so an error before any
 * content can still be a proper HTTP error; if the wait grows long, headers and `: OPENROUTER PROCESSING` comments
 * go out to keep clients and proxies from timing out (errors after that travel in-band, as OpenRouter's do).
 * Writes respect backpressure: a slow client pauses the producer instead of growing memory.
 */
export class SseResponse {
  private started = false;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private waitTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly headers: Record<string, string>,
    keepAliveAfterMs = 2000,
    private readonly keepAliveEveryMs = 5000,
  ) {
    this.waitTimer = setTimeout(() => this.startKeepAlive(), keepAliveAfterMs);
  }

  get headersSent(): boolean {
    return this.started;
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  private start(extra: Record<string, string> = {}): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, { ...SSE_HEADERS, ...this.headers, ...extra });
  }

  private startKeepAlive(): void {
    if (this.closed) return;
    this.start();
    this.res.write(': OPENROUTER PROCESSING\n\n');
    this.keepAlive = setInterval(() => {
      if (!this.closed) this.res.write(': OPENROUTER PROCESSING\n\n');
    }, this.keepAliveEveryMs);
    this.keepAlive.unref?.();
  }

  private stopTimers(): void {
    clearTimeout(this.waitTimer);
    clearInterval(this.keepAlive);
    this.waitTimer = undefined;
    this.keepAlive = undefined;
  }

  /** Writes a frame (committing headers first); resolves when the client can take more. */
  async write(text: string, extraHeaders?: Record<string, string>): Promise<void> {
    if (this.closed) return;
    this.stopTimers();
    this.start(extraHeaders);
    await writeRespectingBackpressure(this.res, text);
  }

  /** Sends what was written so far at once instead of at the end of this turn of the event loop (see `flushNow`). */
  flush(): void {
    if (this.started && !this.closed) flushNow(this.res);
  }

  end(): void {
    this.stopTimers();
    if (this.closed) return;
    this.start();
    this.res.end();
  }

  /** Stops timers without writing (the caller answers with a JSON error instead). */
  abandon(): void {
    this.stopTimers();
  }
}
