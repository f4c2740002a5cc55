import type { Command } from 'commander';
import type { ConfigInitFlags } from '../config/run-config-init.js';

// The definition of `switchyard config` only: loaded by every `switchyard` run (for the help), so the template and
// the writing (config/, with the SDK's defaults) are imported by the action.

/** `switchyard config init`: a commented switchyard.toml with every setting and its default. */
export function registerConfig(program: Command): void {
  const config = program.command('config').description('create the configuration file (switchyard.toml)');
  config
    .command('init')
    .description('write a commented switchyard.toml: every section, every setting with its default, explained')
    .option('--path <file>', 'where to write it', 'switchyard.toml')
    .option('--force', 'overwrite an existing file')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  switchyard config init                           ./switchyard.toml (refuses to overwrite one)',
        '  switchyard config init --path ops/gateway.toml   then: switchyard serve --config ops/gateway.toml',
        '  switchyard config init --force                   replace the existing file',
        '',
        'All settings start commented out, so the file changes nothing until you uncomment a line.',
      ].join('\n'),
    )
    .action(async (flags: ConfigInitFlags) => {
      const { runConfigInit } = await import('../config/run-config-init.js');
      await runConfigInit(flags);
    });
}
