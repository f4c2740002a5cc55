import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveGatewayConfig } from '../packages/gateway/src/config/gateway-config.js';
import { startTestGateway } from '../packages/gateway/test/support/gateway.js';
import { startSimulator } from '../packages/simulator/src/index.js';

/**
 * Documentation examples must run. Every ```ts block and every curl example of the READMEs is executed against the
 * server its README describes — the gateway (on its embedded simulator) or the simulator — on a free loopback port
 * (the documented ports are rewritten to it).
 */

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const SCRATCH = join(ROOT, 'node_modules', '.cache', 'switchyard-docs');
const READMES: [string, 'gateway' | 'simulator'][] = [
  ['README.md', 'gateway'],
  ['packages/gateway/README.md', 'gateway'],
  ['packages/simulator/README.md', 'simulator'],
  ['packages/sdk/README.md', 'simulator'],
];

/** A server for one example: its port and how to stop it. */
async function serve(kind: 'gateway' | 'simulator'): Promise<{ port: number; close: () => Promise<void> }> {
  if (kind === 'simulator') {
    const sim = await startSimulator({ port: 0 });
    return { port: sim.port, close: () => sim.close() };
  }
  const gw = await startTestGateway();
  return { port: gw.port, close: () => gw.stop() };
}

function blocks(file: string, lang: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  const fence = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g');
  for (const match of text.matchAll(fence)) out.push(match[1] as string);
  return out;
}

const withPort = (code: string, port: number) => code.replace(/127\.0\.0\.1:87(87|90)/g, `127.0.0.1:${port}`);

describe('README examples', () => {
  for (const [file, kind] of READMES) {
    blocks(file, 'ts').forEach((code, i) => {
      it(`${file}: TypeScript example ${i + 1} runs`, async () => {
        const sim = await serve(kind);
        try {
          mkdirSync(SCRATCH, { recursive: true });
          const path = join(SCRATCH, `${file.replace(/\W+/g, '-')}-${i}.mts`);
          writeFileSync(path, withPort(code, sim.port));
          const { stdout } = await run(process.execPath, ['--import', 'tsx', path], { cwd: ROOT, timeout: 30_000 });
          expect(stdout.length).toBeGreaterThan(0);
        } finally {
          await sim.close();
        }
      });
    });
    blocks(file, 'sh')
      .filter((code) => code.includes('curl '))
      .forEach((code, i) => {
        it(`${file}: curl example ${i + 1} answers`, async () => {
          const sim = await serve(kind);
          try {
            const script = withPort(code.slice(code.indexOf('curl ')), sim.port);
            const { stdout } = await run('bash', ['-c', script], { timeout: 30_000 });
            expect(stdout).toMatch(/"choices"|data: /);
          } finally {
            await sim.close();
          }
        });
      });
  }

  it('every switchyard.toml of the root and gateway READMEs is a valid configuration', async () => {
    const { parseConfig } = await import('../packages/sdk/src/config-file.js');
    const { resolveConfig } = await import('../packages/sdk/src/index.js');
    const tomls = [...blocks('README.md', 'toml'), ...blocks('packages/gateway/README.md', 'toml')];
    expect(tomls.length).toBeGreaterThanOrEqual(2);
    for (const text of tomls) {
      const fileConfig = parseConfig(text, { path: 'README.md' });
      resolveConfig({ env: {}, fileConfig });
      expect(resolveGatewayConfig({ env: {}, fileConfig }).port).toBe(8787);
    }
  });

  it('every switchyard.toml in the SDK README is a valid configuration', async () => {
    const { parseConfig } = await import('../packages/sdk/src/config-file.js');
    const { resolveConfig } = await import('../packages/sdk/src/index.js');
    const tomls = blocks('packages/sdk/README.md', 'toml');
    expect(tomls.length).toBeGreaterThanOrEqual(2);
    for (const text of tomls) {
      const config = resolveConfig({ env: {}, fileConfig: parseConfig(text, { path: 'README.md' }) });
      expect(config.baseURL).toMatch(/^https:/);
    }
  });

  it('the simulator README example prints what its comments say', async () => {
    const code = blocks('packages/simulator/README.md', 'ts')[0] as string;
    mkdirSync(SCRATCH, { recursive: true });
    const path = join(SCRATCH, 'simulator-library-example.mts');
    writeFileSync(path, code);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path], { cwd: ROOT, timeout: 30_000 });
    expect(stdout.split('\n').slice(0, 3)).toEqual(['503', 'hi', '{ attempts: 2, served: 1 }']);
  });
});
