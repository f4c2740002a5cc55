import type { ServerResponse } from 'node:http';
import { drained, flushNow } from './drain.js';

function sendPendingOf(response: SseResponse): void {
  response.sendPending();
}

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
  /** Frames written in this turn of the event loop, not yet handed to the response. */
  private pending = '';
  /** While the client's buffer is full: settles when it drained (or the client left). */
  private waiting: Promise<void> | undefined;

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

  /**
   * Queues a frame (committing headers first). The frames of one turn of the event loop leave in one `res.write` at
   * its end: an answer that arrived in one upstream read is dozens of frames, and every `res.write` of a chunked
   * response costs Node four buffer entries. Returns a promise only while the client is not keeping up; the caller
   * awaits it before producing more (backpressure).
   */
  write(text: string, extraHeaders?: Record<string, string>): Promise<void> | undefined {
    if (this.closed) return undefined;
    this.stopTimers();
    this.start(extraHeaders);
    if (this.pending === '') process.nextTick(sendPendingOf, this);
    this.pending += text;
    return this.waiting;
  }

  /** Writes the queued frames now. */
  sendPending(): void {
    const text = this.pending;
    if (text === '') return;
    this.pending = '';
    if (this.closed) return;
    if (!this.res.write(text) && !this.waiting) {
      this.waiting = drained(this.res).then(() => {
        this.waiting = undefined;
      });
    }
  }

  /** Sends what was written so far at once instead of at the end of this turn of the event loop (see `flushNow`). */
  flush(): void {
    if (!this.started || this.closed) return;
    this.sendPending();
    flushNow(this.res);
  }

  end(): void {
    this.stopTimers();
    if (this.closed) return;
    this.start();
    this.sendPending();
    this.res.end();
  }

  /** Stops timers without writing (the caller answers with a JSON error instead). */
  abandon(): void {
    this.stopTimers();
  }
}
