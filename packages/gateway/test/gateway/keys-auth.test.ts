import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELLO, post, startTestGateway, type TestGateway } from '../support/gateway.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'switchyard.js');
const ADMIN = 'admin-token-for-tests-0123456789';

async function admin(
  gw: TestGateway,
  method: string,
  path: string,
  body?: unknown,
  token = ADMIN,
): Promise<{ status: number; json: any }> {
  const response = await fetch(`${gw.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

const chat = (gw: TestGateway, key?: string, body: unknown = HELLO) =>
  post(`${gw.baseURL}/chat/completions`, body, key ? { authorization: `Bearer ${key}` } : {});

describe('admin API and key lifecycle', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { SWITCHYARD_ADMIN_TOKEN: ADMIN } });
  });
  afterAll(() => gw?.stop());

  it('refuses the admin API without the right token', async () => {
    expect((await admin(gw, 'GET', '/admin/keys', undefined, 'wrong')).status).toBe(401);
    const none = await fetch(`${gw.url}/admin/keys`);
    expect(none.status).toBe(401);
  });

  it('is open before the first key exists, then requires a valid key', async () => {
    expect((await chat(gw)).status).toBe(200);
    const created = await admin(gw, 'POST', '/admin/keys', { name: 'ci', limits: { requests_per_minute: 100 } });
    expect(created.status).toBe(201);
    const secret = created.json.secret as string;
    expect(secret).toMatch(/^sk-sy-v1-[A-Za-z0-9_-]{40,}$/);
    expect(created.json.data).toMatchObject({ name: 'ci', status: 'active', limits: { requests_per_minute: 100 } });
    expect(JSON.stringify(created.json.data)).not.toContain(secret);
    // Open access is re-checked at most once a second.
    await new Promise((r) => setTimeout(r, 1100));
    const anonymous = await chat(gw);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).error.type).toBe('authentication_failed');
    expect((await chat(gw, 'sk-sy-v1-not-a-real-key')).status).toBe(401);
    expect((await chat(gw, 'sk-or-v1-an-openrouter-key')).status).toBe(401);
    expect((await chat(gw, secret)).status).toBe(200);
    const viaHeader = await post(`${gw.baseURL}/chat/completions`, HELLO, { 'x-api-key': secret });
    expect(viaHeader.status).toBe(200);

    const listed = await admin(gw, 'GET', '/admin/keys');
    expect(listed.json.data.map((k: any) => k.name)).toContain('ci');
    expect(JSON.stringify(listed.json)).not.toContain(secret);

    const id = created.json.data.id as string;
    const patched = await admin(gw, 'PATCH', `/admin/keys/${id}`, {
      name: 'ci-renamed',
      budget: { usd: 5, period: 'day' },
    });
    expect(patched.json.data).toMatchObject({ name: 'ci-renamed', budget: { usd: 5, period: 'day' } });
    const key = await fetch(`${gw.baseURL}/key`, { headers: { authorization: `Bearer ${secret}` } });
    const { data } = (await key.json()) as any;
    expect(data).toMatchObject({
      label: 'ci-renamed',
      limit: 5,
      limit_reset: 'daily',
      limits: { requests_per_minute: 100 },
    });
    expect(data.usage).toBeGreaterThan(0);
    expect(data.limit_remaining).toBeLessThan(5);

    const revoked = await admin(gw, 'DELETE', `/admin/keys/${id}`);
    expect(revoked.json.data.status).toBe('revoked');
    const refused = await chat(gw, secret);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as any).error.message).toContain('revoked');
    expect((await admin(gw, 'GET', '/admin/keys/key_missing')).status).toBe(404);
  });

  it('validates key settings and names the field', async () => {
    const bad = await admin(gw, 'POST', '/admin/keys', { name: 'x', limits: { requests_per_minute: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.metadata.field).toBe('limits.requests_per_minute');
    const period = await admin(gw, 'POST', '/admin/keys', { name: 'x', budget: { usd: 1, period: 'week' } });
    expect(period.json.error.metadata.field).toBe('budget.period');
    const noName = await admin(gw, 'POST', '/admin/keys', {});
    expect(noName.json.error.metadata.field).toBe('name');
  });

  it('restricts a key to its allowed models', async () => {
    const { json } = await admin(gw, 'POST', '/admin/keys', {
      name: 'anthropic-only',
      allowed_models: ['anthropic/*'],
    });
    const denied = await chat(gw, json.secret);
    expect(denied.status).toBe(403);
    const allowed = await chat(gw, json.secret, { ...HELLO, model: 'anthropic/claude-sonnet-4.5' });
    expect(allowed.status).toBe(200);
    // A fallback is a model the request may be served by: it must be allowed too.
    const sneaky = await chat(gw, json.secret, {
      ...HELLO,
      model: 'anthropic/claude-sonnet-4.5',
      models: ['openai/gpt-4o-mini'],
    });
    expect(sneaky.status).toBe(403);
    expect(((await sneaky.json()) as any).error.message).toContain('may not use model openai/gpt-4o-mini');
    const fallbacks = await chat(gw, json.secret, {
      ...HELLO,
      model: undefined,
      models: ['anthropic/claude-sonnet-4.5'],
    });
    expect(fallbacks.status).toBe(200);
  });

  it('applies keys to /responses too: auth, allowed models, and stored responses visible only to their key', async () => {
    const responses = (key: string | undefined, body: unknown) =>
      post(`${gw.baseURL}/responses`, body, key ? { authorization: `Bearer ${key}` } : {});
    const ask = { model: 'anthropic/claude-sonnet-4.5', input: 'Say exactly: mine' };
    expect((await responses(undefined, ask)).status).toBe(401);
    const owner = (await admin(gw, 'POST', '/admin/keys', { name: 'resp-owner', allowed_models: ['anthropic/*'] }))
      .json;
    const other = (await admin(gw, 'POST', '/admin/keys', { name: 'resp-other' })).json;
    expect((await responses(owner.secret, { ...ask, model: 'openai/gpt-4o-mini' })).status).toBe(403);
    const first = await responses(owner.secret, ask);
    expect(first.status).toBe(200);
    const { id } = (await first.json()) as { id: string };
    const follow = { ...ask, input: 'Say exactly: again', previous_response_id: id };
    expect((await responses(owner.secret, follow)).status).toBe(200);
    const stolen = await responses(other.secret, follow);
    expect(stolen.status).toBe(400);
    expect(((await stolen.json()) as any).error.metadata.field).toBe('previous_response_id');

    // Retrieve, list and delete are the owner's only: to another key the id does not exist (the same 404 as an
    // unknown id); without a key they are refused like every other route.
    const stored = (key: string | undefined, method: string, path: string) =>
      fetch(`${gw.baseURL}/responses/${path}`, { method, headers: key ? { authorization: `Bearer ${key}` } : {} });
    const unknown = await stored(owner.secret, 'GET', 'resp_000000000000000000000000');
    expect(unknown.status).toBe(404);
    const notFound = ((await unknown.json()) as any).error;
    for (const [method, path] of [
      ['GET', id],
      ['GET', `${id}/input_items`],
      ['DELETE', id],
    ]) {
      const refused = await stored(other.secret, method as string, path as string);
      expect(refused.status, `${method} ${path}`).toBe(404);
      const error = ((await refused.json()) as any).error;
      expect(error.type).toBe('response_not_found');
      expect(error.message).toBe(notFound.message.replace('resp_000000000000000000000000', id));
      expect((await stored(undefined, method as string, path as string)).status).toBe(401);
      expect((await stored('sk-sy-v1-not-a-real-key', method as string, path as string)).status).toBe(401);
    }
    const mine = await stored(owner.secret, 'GET', id);
    expect(mine.status).toBe(200);
    expect(((await mine.json()) as any).output_text).toBe('mine');
    const items = await stored(owner.secret, 'GET', `${id}/input_items`);
    expect(((await items.json()) as any).data[0].content[0].text).toBe('Say exactly: mine');
    expect((await stored(owner.secret, 'DELETE', id)).status).toBe(200);
    expect((await stored(owner.secret, 'GET', id)).status).toBe(404);
  });

  it('refuses an expired key', async () => {
    const { secret } = await gw.services.keys.create({ name: 'old', expiresInMs: 1000 }, Date.now() - 60_000);
    const response = await chat(gw, secret);
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error.message).toContain('expired');
  });

  it('stores only an HMAC of each key: the database never holds a secret', async () => {
    const { secret } = await gw.services.keys.create({ name: 'hashed' });
    const db = new Database(gw.sqlitePath, { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM virtual_keys').all() as Record<string, unknown>[];
      expect(rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(rows.every((r) => /^[0-9a-f]{64}$/.test(String(r.hash)))).toBe(true);
    } finally {
      db.close();
    }
    const bytes = readFileSync(gw.sqlitePath).toString('latin1');
    expect(bytes).not.toContain(secret.slice(9));
  });
});

describe('switchyard keys (CLI)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.stop());

  it('creates, lists and revokes keys in the gateway database', async () => {
    const created = await run('node', [
      BIN,
      'keys',
      'create',
      '--db',
      gw.sqlitePath,
      '--name',
      'from-cli',
      '--rpm',
      '7',
      '--budget',
      '2.5',
      '--models',
      'openai/*',
      '--json',
    ]);
    const { data, secret } = JSON.parse(created.stdout) as { data: any; secret: string };
    expect(data).toMatchObject({
      name: 'from-cli',
      limits: { requests_per_minute: 7 },
      budget: { usd: 2.5, period: 'month' },
      allowed_models: ['openai/*'],
    });
    await new Promise((r) => setTimeout(r, 1100));
    const ok = await chat(gw, secret);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-limit')).toBe('7');

    const listed = await run('node', [BIN, 'keys', 'list', '--db', gw.sqlitePath]);
    expect(listed.stdout).toContain('from-cli');
    expect(listed.stdout).toContain('requests per minute 7');
    expect(listed.stdout).not.toContain(secret);

    const revoked = await run('node', [BIN, 'keys', 'revoke', data.id, '--db', gw.sqlitePath]);
    expect(revoked.stdout).toContain(`revoked ${data.id}`);
    expect((await chat(gw, secret)).status).toBe(401);
    const all = await run('node', [BIN, 'keys', 'list', '--all', '--json', '--db', gw.sqlitePath]);
    expect(JSON.parse(all.stdout).data[0].status).toBe('revoked');
    await expect(run('node', [BIN, 'keys', 'revoke', 'key_nope', '--db', gw.sqlitePath])).rejects.toMatchObject({
      stderr: expect.stringContaining('no key with id key_nope'),
    });
  });

  it('rejects invalid flags with a clear message', async () => {
    await expect(
      run('node', [
        BIN,
        'keys',
        'create',
        '--db',
        gw.sqlitePath,
        '--name',
        'x',
        '--budget-period',
        'week',
        '--budget',
        '1',
      ]),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('budget.period'),
    });
  });
});

describe('binding beyond loopback', () => {
  it('refuses to start without keys unless --insecure-no-auth', async () => {
    await expect(startTestGateway({ config: { host: '0.0.0.0' } })).rejects.toThrow(
      /Refusing to listen on 0\.0\.0\.0 without virtual keys/,
    );
    const gw = await startTestGateway({ config: { host: '0.0.0.0', insecureNoAuth: true } });
    try {
      expect(gw.logLines().some((l) => String(l.msg).startsWith('OPEN ACCESS on a public interface'))).toBe(true);
      expect((await post(`${gw.baseURL}/chat/completions`, HELLO)).status).toBe(200);
    } finally {
      await gw.stop();
    }
  });
});
