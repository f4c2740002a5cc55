#!/usr/bin/env node
// The `switchyard` command. The CLI is compiled to dist/ by `npm ci` (root `prepare`) or `npm run build`.
import('../dist/cli/main.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    console.error('switchyard is not built yet: run `npm run build` at the repository root.');
    process.exit(1);
  }
  throw error;
});
