import { type ResolvedConfig, resolveConfig, type Switchyard } from '@switchyard/sdk';
import { loadConfig } from '@switchyard/sdk/config';
import { UsageError } from '../support/exit-codes.js';
import type { Output } from '../support/output.js';
import { type CliClient, type ClientFlags, openCliClient } from '../support/sdk-client.js';
import { didYouMeanText } from './did-you-mean.js';
import { type ProviderChoice, providerChoices } from './pickers.js';

/** The configuration the CLI client would use (flags > env > switchyard.toml), without opening a client. */
export async function chatConfig(flags: ClientFlags): Promise<ResolvedConfig> {
  return resolveConfig({ fileConfig: await loadConfig(flags.config) });
}

/** The provider named by `--provider` (or `/provider NAME`): usable, else a one-line UsageError with a hint. */
export function checkProvider(config: ResolvedConfig, name: string): ProviderChoice {
  const choices = providerChoices(config);
  const choice = choices.find((c) => c.name === name);
  if (!choice) {
    const names = choices.map((c) => c.name);
    throw new UsageError(
      `Unknown provider "${name}"; the providers are ${names.join(', ')}.${didYouMeanText(name, names, 2)}`,
    );
  }
  if (choice.disabled) throw new UsageError(`${choice.label} cannot be used now: ${choice.hint}.`);
  return choice;
}

/**
 * One SDK client per provider a chat has used (switching back keeps its catalog cache and, for the simulator, its
 * server). Opened through the CLI's own `openCliClient`, so the simulator is announced whenever it answers.
 */
export class ClientPool {
  private readonly clients = new Map<string, Promise<CliClient>>();

  constructor(
    private readonly flags: ClientFlags,
    private readonly output: Output,
    private readonly config: ResolvedConfig,
  ) {}

  async get(name: string): Promise<Switchyard> {
    let client = this.clients.get(name);
    if (!client) {
      // Chosen on purpose while a key is set: openCliClient's "no key" reason would be wrong, so say it here.
      const chosenSimulator = name === 'simulator' && Boolean(this.config.apiKey) && !this.config.devMode;
      const output = chosenSimulator ? { ...this.output, err: () => {} } : this.output;
      if (chosenSimulator)
        this.output.err(this.output.yellow('Using the offline simulator: simulated models, prices and answers.'));
      client = openCliClient(this.flags, output, { provider: name });
      this.clients.set(name, client);
      client.catch(() => this.clients.delete(name));
    }
    return (await client).sy;
  }

  async closeAll(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.then((client) => client.close()).catch(() => undefined)));
  }
}
