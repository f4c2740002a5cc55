import { ConfigError } from '../errors/client-errors.js';
import type { Transport } from '../transport/transport.js';
import { OpenRouterApiBackend, openRouterTransport } from './openrouter.js';
import type { ProviderMetadata } from './provider.js';
import { registerProvider } from './registry.js';

/** The part of `@switchyard/simulator` this provider uses (kept local: the SDK depends on nothing of ours). */
interface SimulatorModule {
  startSimulator(options: {
    port?: number;
    pace?: 'instant' | 'demo';
  }): Promise<{ url: string; close(): Promise<void> }>;
}

const SIMULATOR_METADATA: ProviderMetadata = {
  name: 'switchyard simulator',
  company: 'switchyard',
  region: 'local',
  dataLocation: 'this process (nothing leaves the machine)',
  kind: 'embedded',
};

/** Any key of the simulator's accepted shape works; this one names its origin in the simulator's stats. */
const DEV_KEY = 'sk-or-v1-switchyard-dev-mode';
// A variable specifier keeps bundlers from pulling the simulator (and node:http) into browser builds.
const SIMULATOR_PACKAGE = '@switchyard/simulator';

registerProvider('simulator', ({ config, name }) => {
  let started: Promise<{ url: string; close(): Promise<void> }> | undefined;
  const start = () => {
    started ??= (import(SIMULATOR_PACKAGE) as Promise<SimulatorModule>).then(
      (module) => module.startSimulator({ port: 0, pace: 'instant' }),
      (cause: unknown) => {
        started = undefined;
        throw new ConfigError(
          `The simulator provider needs the @switchyard/simulator package (npm i -D @switchyard/simulator): ${String(cause)}`,
          { cause },
        );
      },
    );
    return started;
  };
  let transport: Promise<Transport> | undefined;
  /** The transport once `transport` has resolved (until close). */
  let ready: Transport | undefined;
  const open = () => {
    if (!transport) {
      const opening = start().then((sim) => openRouterTransport(config, sim.url, config.apiKey ?? DEV_KEY));
      transport = opening;
      opening.then(
        (opened) => {
          if (transport === opening) ready = opened;
        },
        () => {
          if (transport === opening) transport = undefined;
        },
      );
    }
    return transport;
  };
  const backend = new OpenRouterApiBackend(name, 'simulator', SIMULATOR_METADATA, open, () => ready);
  backend.close = async () => {
    const sim = await started?.catch(() => undefined);
    started = undefined;
    transport = undefined;
    ready = undefined;
    await sim?.close();
  };
  return backend;
});
