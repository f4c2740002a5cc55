/**
 * How commands name a database or Redis server in their output: scheme, host, port and database only — never the
 * user or password of a DATABASE_URL / REDIS_URL. Dependency-free, so commands can use it before they load drivers.
 */
import { redactString } from '@switchyard/sdk';

/** `postgres://host:port/db` (or `redis://host:port/0`) from a connection URL, without its credentials. */
export function urlTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname.replace(/^\//, '');
    return `${parsed.protocol}//${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${path ? `/${path}` : ''}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** The ledger the gateway config points at, for humans: `PostgreSQL postgres://db:5432/app` or `SQLite ./x.db`. */
export function ledgerTarget(config: { databaseUrl?: string; sqlitePath: string }): string {
  return config.databaseUrl ? `PostgreSQL ${urlTarget(config.databaseUrl)}` : `SQLite ${config.sqlitePath}`;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * An error message made safe to print: the password (raw and %-decoded) and the user-info of `urls` removed, then
 * the SDK's generic masking (URL passwords, `sk-…` keys, bearer tokens). The first line only.
 */
export function safeMessage(error: unknown, urls: (string | undefined)[] = []): string {
  let text = error instanceof Error ? error.message : String(error);
  for (const url of urls) {
    if (!url) continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      text = text.split(url).join('(URL hidden)');
      continue;
    }
    text = text.split(url).join(urlTarget(url));
    for (const secret of [parsed.password, decoded(parsed.password)]) {
      if (secret) text = text.split(secret).join('***');
    }
  }
  return redactString(text.split('\n')[0]?.trim() || 'unknown error');
}
