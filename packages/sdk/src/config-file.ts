/**
 * `@switchyard/sdk/config`: reading `switchyard.toml` (or JSON). A separate entry point, so apps that configure the
 * client in code do not ship a TOML parser.
 */
import { Switchyard } from './client.js';
import { loadConfig } from './config/load-config.js';
import type { SwitchyardOptions } from './config/options.js';

export { interpolateString } from './config/interpolate.js';
export {
  DEFAULT_CONFIG_FILE,
  type LoadConfigOptions,
  loadConfig,
  type ParseConfigOptions,
  parseConfig,
} from './config/load-config.js';
export { type ParseTomlOptions, parseToml, TomlError, type TomlTable, type TomlValue } from './config/toml.js';

/** A client configured by `switchyard.toml` (or the given file) as the lowest-precedence layer. */
export async function fromConfigFile(path?: string, options: SwitchyardOptions = {}): Promise<Switchyard> {
  const fileConfig = await loadConfig(path, { env: options.env });
  return new Switchyard({ ...options, fileConfig });
}
