import { constants } from 'node:fs';
import { open, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../support/exit-codes.js';
import { createOutput } from '../support/output.js';
import { configTemplate } from './config-template.js';

// The implementation of `switchyard config init` (commands/config.ts defines the command); the template needs the
// SDK's defaults, which load from here, only when the file is written.

export interface ConfigInitFlags {
  path: string;
  force?: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Write the commented switchyard.toml: refuses to overwrite a file unless --force (then atomically). */
export async function runConfigInit(flags: ConfigInitFlags): Promise<void> {
  const path = flags.path;
  const dir = dirname(resolve(path));
  if (!(await exists(dir))) throw new UsageError(`cannot write ${path}: the directory ${dir} does not exist`);
  const text = configTemplate();
  if (flags.force) {
    // Whole file or nothing: write next to it, then rename over it.
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } else {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      // O_EXCL: fails if the file exists, also when it appears between a check and the write.
      handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new UsageError(`${path} already exists: not overwriting it (use --force to replace it)`);
      throw new UsageError(`cannot write ${path}: ${(error as Error).message}`);
    }
    try {
      await handle.writeFile(text, 'utf8');
    } finally {
      await handle.close();
    }
  }
  const output = createOutput();
  output.out(`wrote ${path}${flags.force ? ' (replaced)' : ''}: every setting commented out, with its default`);
  output.err(
    output.dim('Uncomment what you need, then check it with `switchyard doctor`. Keep secrets in the environment.'),
  );
}
