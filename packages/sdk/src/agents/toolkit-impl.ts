import { generateObject } from './structured-output.js';
import { runTools, streamTools } from './tool-loop.js';
import type { AgentsToolkit } from './toolkit.js';

/** The toolkit's functions, in the module `toolkit.ts` loads on first use and the `agents` entry installs at once. */
export const agentsToolkit: AgentsToolkit = { runTools, streamTools, generateObject };
