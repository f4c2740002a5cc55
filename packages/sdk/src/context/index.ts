export { type ContextCheck, type ContextCheckOptions, checkContext } from './context-guard.js';
export { limitMessages, middleOut, type PruneOptions, type PruneResult, pruneOldest } from './prune.js';
export { estimateRequestTokens, estimateTextTokens, type TokenizerFamily } from './token-estimator.js';
