/** Sections the gateway owns and validates; the SDK passes them through untouched. */
export const GATEWAY_SECTIONS = ['gateway', 'keys', 'budgets', 'limits', 'ledger', 'redis', 'dashboard'] as const;

let namer: (path: string) => string = (path) => path;

/**
 * Installs how an option path is written in switchyard.toml (`timeouts.firstTokenMs` → `timeouts.first_token`),
 * for messages about settings that came from a file. The config file parser installs it when it parses one, so the
 * client itself does not carry the file's schema: a browser app has no config file.
 */
export function nameFileKeysWith(fn: (path: string) => string): void {
  namer = fn;
}

/** An option path as switchyard.toml writes it (the path itself until a config file was parsed). */
export function fileKeyName(path: string): string {
  return namer(path);
}
