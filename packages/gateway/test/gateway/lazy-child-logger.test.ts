import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lazyChildLogger } from '../../src/logging/lazy-child-logger.js';
import { createLogger } from '../../src/logging/logger.js';

function captured(level: string) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({ level, destination: destination as never });
  let children = 0;
  const child = logger.child.bind(logger);
  logger.child = ((...args: Parameters<typeof child>) => {
    children++;
    return child(...args);
  }) as typeof logger.child;
  return { logger, lines, children: () => children };
}

describe("the request's lazy logger", () => {
  it('makes no pino child while nothing is written at an enabled level', () => {
    const { logger, lines, children } = captured('warn');
    const log = lazyChildLogger(logger, { reqId: 'req_1' }, {});
    log.info({ a: 1 }, 'not written');
    log.debug('not written either');
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.level).toBe('warn');
    expect(children()).toBe(0);
    expect(lines).toEqual([]);
  });

  it('writes enabled lines through one real child, with its bindings and redaction', () => {
    const { logger, lines, children } = captured('info');
    const log = lazyChildLogger(logger, { reqId: 'req_2' }, {});
    log.info({ authorization: 'Bearer sk-sy-secret' }, 'first');
    log.warn('second');
    expect(children()).toBe(1);
    expect(lines.map((l) => [l.msg, l.reqId])).toEqual([
      ['first', 'req_2'],
      ['second', 'req_2'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('sk-sy-secret');
  });

  it('is a real child at once when the route sets a level of its own', () => {
    const { logger, lines, children } = captured('warn');
    const log = lazyChildLogger(logger, { reqId: 'req_3' }, { level: 'debug' });
    expect(children()).toBe(1);
    log.debug('route-level debug');
    expect(lines.map((l) => l.msg)).toEqual(['route-level debug']);
  });
});
