import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The CLI guide's examples must run. Every `$ npx switchyard …` command of a ```console block in docs/cli.md and the
 * README is run with the built CLI against the embedded simulator (no key, `CI=1`), in one scratch directory, in
 * document order. Checked: the exit code (non-zero exactly when the documented output has a `switchyard:` error
 * line) and that the documented first output line appears (timings and prices vary; the first line — a notice,
 * a header, an answer — does not). Commands that need a setup the page describes in prose (a scenario server, a
 * key id, a [providers] entry, a filled ledger) are skipped by the list below; their commands have their own tests.
 */

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'packages', 'gateway', 'bin', 'switchyard.js');
const NEEDS_SETUP = [/OPENROUTER_API_KEY=/, / -p flaky /, /key_[0-9a-f]{16}/, /switchyard usage/, /switchyard batch/];

interface Example {
  file: string;
  command: string;
  output: string[];
}

function examples(file: string): Example[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: Example[] = [];
  for (const match of text.matchAll(/```console\n([\s\S]*?)```/g)) {
    let current: Example | undefined;
    const lines = (match[1] as string).split('\n');
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i] as string;
      if (line.startsWith('$ ')) {
        // A trailing backslash continues the command on the next line.
        while (line.endsWith('\\') && i + 1 < lines.length)
          line = `${line.slice(0, -1)}${(lines[++i] as string).trim()}`;
        current = { file, command: line.slice(2).replace(/\s+#.*$/, ''), output: [] };
        if (current.command.includes('npx switchyard')) found.push(current);
      } else if (current && line.trim() !== '') {
        current.output.push(line);
      }
    }
  }
  return found;
}

/** A documented line as a pattern: key ids, masked secrets and numbers vary between runs; `…` elides text. */
function pattern(line: string): RegExp {
  const escaped = line
    .replace(/[A-Za-z0-9]{0,2}…[A-Za-z0-9]{0,2}/g, '…') // masked secrets: sk-sy-v1-ZI…Gw
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/key_[0-9a-f]{16}/g, 'key_\u0000')
    .replace(/\d+/g, '\\d+')
    .replace(/…/g, '.*?')
    .replaceAll('\u0000', '[0-9a-f]{16}');
  return new RegExp(escaped);
}

const scratch = mkdtempSync(join(tmpdir(), 'switchyard-cli-docs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('CLI guide examples', () => {
  const all = [...examples('docs/cli.md'), ...examples('README.md')];

  it('finds the examples', () => {
    expect(all.length).toBeGreaterThanOrEqual(12);
  });

  for (const example of all.filter((e) => !NEEDS_SETUP.some((re) => re.test(` ${e.command} `)))) {
    it(`${example.file}: ${example.command}`, () => {
      const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', NO_COLOR: '1', COLUMNS: '116' };
      for (const name of ['OPENROUTER_API_KEY', 'DEV_MODE', 'DATABASE_URL', 'REDIS_URL', 'FORCE_COLOR'])
        delete env[name];
      env.SWITCHYARD_CACHE_DIR = join(scratch, 'cache');
      const script = example.command.replaceAll('npx switchyard', `${JSON.stringify(process.execPath)} ${BIN}`);
      const run = spawnSync('bash', ['-c', script], { cwd: scratch, env, encoding: 'utf8', timeout: 30_000 });
      const printed = `${run.stdout}\n${run.stderr}`;
      const fails = example.output.some((line) => line.startsWith('switchyard: '));
      expect(run.status === 0, `exit ${run.status}:\n${printed}`).toBe(!fails);
      expect(printed).toMatch(pattern((example.output[0] as string).trim()));
    });
  }
});
