/**
 * @switchyard/simulator — an offline, deterministic OpenRouter look-alike with fault scenarios.
 * See README.md for the behaviour, the scenario file format and the token estimator.
 */

export { Catalog, CatalogError } from './catalog/catalog.js';
export type { Fault, FaultKind, FaultMatch, FaultRule } from './faults/fault-types.js';
export { FAULT_KINDS } from './faults/fault-types.js';
export { loadScenarioFile, parseScenario, ScenarioError } from './faults/scenario.js';
export type { KeySpec, PaceOptions, PaceSetting, Scenario, SimulatorOptions, StreamShape } from './options.js';
export { createSimulator, type Simulator, type SimulatorHandle, startSimulator } from './server.js';
export type { SimulatorStats } from './stats.js';
export type { CatalogData, CatalogEndpoint, CatalogModel, CatalogProvider } from './types.js';
