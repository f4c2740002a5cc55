import { describe, expect, it } from 'vitest';
import { newRequestId, requestIdFor } from '../../src/http/request-id.js';

describe('request ids', () => {
  it('are unique, with a per-process random part and a counter', () => {
    const ids = Array.from({ length: 10_000 }, () => newRequestId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^req_[0-9a-f]{16}[0-9a-z]+$/);
    expect(new Set(ids.map((id) => id.slice(0, 20))).size).toBe(1);
  });

  it("echo a client's sane x-request-id and replace anything odd-looking", () => {
    expect(requestIdFor('trace-42:abc.DEF_1')).toBe('trace-42:abc.DEF_1');
    for (const odd of ['', 'has space', 'x'.repeat(129), 'new\nline', undefined, ['a', 'b']])
      expect(requestIdFor(odd)).toMatch(/^req_/);
  });
});
