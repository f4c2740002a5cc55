// Bundles the published entry points into a few files next to tsc's output. Importing ~80 small ES modules costs
// most of a cold start (each is a separate resolve, read and compile); one bundled file imports in a third of the
// time. Types still come from tsc (dist/*.d.ts); tests and workspace development use the sources directly.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const started = Date.now();
// Content-hashed chunks of earlier builds would pile up beside the new ones.
rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: {
    index: 'src/index.ts',
    'config-file': 'src/config-file.ts',
    agents: 'src/agents/index.ts',
    routing: 'src/routing/index.ts',
    context: 'src/context/index.ts',
    sse: 'src/sse/index.ts',
  },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
});
console.log(`bundled @switchyard/sdk in ${Date.now() - started} ms`);
