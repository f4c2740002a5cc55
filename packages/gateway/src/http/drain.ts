import type { ServerResponse } from 'node:http';

/** Resolves once `res` can take more (its buffer drained) or the client went away. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Writes and, when the socket's buffer is full, waits until the client takes more (or goes away). */
export async function writeRespectingBackpressure(res: ServerResponse, text: string): Promise<void> {
  if (!res.write(text)) await drained(res);
}

/**
 * Sends what was written to `res` so far now. Node corks a response's socket at its first write in a turn of the
 * event loop and uncorks it when the turn ends; when a whole answer arrives in one upstream read, that turn handles
 * every frame of it, so the first token would wait for the last. Called once the first content is written, it makes
 * time to first token independent of the answer's length; later frames still leave together, one write per turn.
 */
export function flushNow(res: ServerResponse): void {
  if (res.socket?.writableCorked) res.socket.uncork();
}
