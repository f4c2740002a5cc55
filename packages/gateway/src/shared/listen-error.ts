/**
 * A server that could not listen, said with the fix: Node's `listen EADDRINUSE: address already in use 127.0.0.1:8787`
 * names the port but not what to do about it.
 */
export function listenError(error: unknown, port: number | undefined): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (!(error instanceof Error) || (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL'))
    return error;
  const hint =
    code === 'EADDRINUSE'
      ? `another process uses port ${port}: stop it, or pass another --port (0 picks a free one)`
      : code === 'EACCES'
        ? `port ${port} needs privileges here: pass --port above 1023 (0 picks a free port)`
        : 'no interface of this machine has that address: pass --host 127.0.0.1, or an address of this machine';
  error.message = `${error.message}; ${hint}`;
  return error;
}
