import { lazyModule } from '../errors/chunk-load.js';
import type { generateObject } from './structured-output.js';
import type { runTools, streamTools } from './tool-loop.js';

/**
 * The agents toolkit lives in its own entry point (`@switchyard/sdk/agents`) so that apps which never use it do not
 * load it: `sy.runTools()`, `sy.streamTools()` and `sy.object()` import it on first use (one dynamic import, a
 * separate chunk in the bundle). Importing the entry point yourself makes it available up front. This file is all
 * the main entry carries of it.
 */
export interface AgentsToolkit {
  runTools: typeof runTools;
  streamTools: typeof streamTools;
  generateObject: typeof generateObject;
}

/** The toolkit's functions (the module the `agents` entry installs from: one chunk, one copy of each). */
const loadToolkit = lazyModule("the SDK's agents toolkit", () => import('./toolkit-impl.js'));

let installed: AgentsToolkit | undefined;

/** Called by `@switchyard/sdk/agents` when it loads. */
export function installAgents(toolkit: AgentsToolkit): void {
  installed = toolkit;
}

/** The toolkit, loaded on first use. */
export function loadAgents(): Promise<AgentsToolkit> {
  if (installed) return Promise.resolve(installed);
  return loadToolkit().then(({ agentsToolkit }) => {
    installed ??= agentsToolkit;
    return installed;
  });
}
