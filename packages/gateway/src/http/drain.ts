import type { ServerResponse } from 'node:http';

/** Writes and, when the socket's buffer is full, waits until the client takes more (or goes away). */
export async function writeRespectingBackpressure(res: ServerResponse, text: string): Promise<void> {
  if (res.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
