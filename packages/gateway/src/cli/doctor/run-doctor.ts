/**
 * `switchyard doctor`: the checks in a fixed order, one line each, run concurrently where they wait on the network
 * and printed as soon as their turn comes. Loaded only when `doctor` runs.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FileConfig } from '@switchyard/sdk';
import { DEFAULT_CONFIG_FILE, loadConfig } from '@switchyard/sdk/config';
import { type GatewayConfig, resolveGatewayConfig } from '../../config/gateway-config.js';
import { safeMessage } from '../../shared/connection-targets.js';
import { FailureExit } from '../support/exit-codes.js';
import type { Output } from '../support/output.js';
import { type CliClient, openCliClient } from '../support/sdk-client.js';
import {
  apiKeyCheck,
  type CheckResult,
  type CheckStatus,
  catalogCheck,
  check,
  creditsCheck,
  keyValidCheck,
  ledgerCheck,
  nodeCheck,
  otherKeysCheck,
  redisCheck,
} from './checks.js';

export interface DoctorFlags {
  config?: string;
  db?: string;
  json?: boolean;
  /** Seconds each network check may take. */
  timeout: number;
}

/** How many settings a file sets (leaves of its tree; empty sections count nothing). */
function settingsSet(value: unknown): number {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 1;
  return Object.values(value).reduce((n: number, item) => n + settingsSet(item), 0);
}

/** The settings of a loaded file, without `path` (where it was read from, not a setting). */
function fileSettings(file: FileConfig): number {
  const { path: _, ...settings } = file as FileConfig & { path?: string };
  return settingsSet(settings);
}

export async function runDoctor(flags: DoctorFlags, output: Output): Promise<void> {
  const ms = Math.round(flags.timeout * 1000);
  const results: CheckResult[] = [];
  const width = 11;
  const paint: Record<CheckStatus, (text: string) => string> = {
    ok: output.green,
    info: output.cyan,
    skip: output.dim,
    fail: output.red,
  };
  const report = (result: CheckResult) => {
    results.push(result);
    if (flags.json) return;
    const status = paint[result.status](result.status.toUpperCase().padEnd(4));
    output.out(`${status}  ${result.name.padEnd(width)} ${result.detail}`);
  };

  report(nodeCheck());

  // The config file: found and valid (an explicit --config must exist; ./switchyard.toml is optional).
  const path = flags.config ?? DEFAULT_CONFIG_FILE;
  let fileConfig: FileConfig | undefined;
  if (flags.config === undefined && !existsSync(path)) {
    fileConfig = {};
    report(check('config', 'info', `no ${path} in ${resolve('.')} (optional; \`switchyard config init\` writes one)`));
  } else {
    try {
      fileConfig = await loadConfig(flags.config);
      const count = fileSettings(fileConfig);
      report(
        check(
          'config',
          'ok',
          `${path}: valid, ${count === 0 ? 'no settings set (all defaults)' : `${count} setting${count === 1 ? '' : 's'} set`}`,
        ),
      );
    } catch (error) {
      report(check('config', 'fail', safeMessage(error)));
    }
  }

  // Settings as the SDK and the gateway resolve them (environment over file over defaults).
  let gateway: GatewayConfig | undefined;
  let client: CliClient | undefined;
  try {
    gateway = resolveGatewayConfig({ sqlitePath: flags.db, fileConfig });
  } catch (error) {
    report(check('settings', 'fail', `gateway: ${safeMessage(error)}`));
  }
  if (fileConfig !== undefined) {
    try {
      // The CLI's own client (OpenRouter with a key, else the simulator); its simulator notice is our api key line.
      client = await openCliClient({ config: flags.config }, { ...output, err: () => {} });
      if (gateway) {
        const c = client.sy.config;
        const model = c.defaultModel
          ? `default model ${c.defaultModel} (${c.origins.defaultModel})`
          : 'no default model';
        report(
          check('settings', 'ok', `provider ${client.sy.providerName}, ${model}, timeout ${c.timeoutMs / 1000} s`),
        );
      }
    } catch (error) {
      report(check('settings', 'fail', safeMessage(error)));
    }
  } else {
    report(check('settings', 'skip', 'the config file is invalid: fix it first'));
  }

  try {
    if (client) {
      report(apiKeyCheck(client.sy, client.simulated));
      report(otherKeysCheck(client.sy, gateway));
    } else {
      report(check('api key', 'skip', 'settings are invalid'));
    }
    // Network checks run together; each is bounded by --timeout.
    const pending: Promise<CheckResult>[] = [];
    const sy = client?.sy;
    const simulated = client?.simulated ?? false;
    if (sy) {
      pending.push(keyValidCheck(sy, simulated, ms));
      pending.push(creditsCheck(sy, simulated, ms));
      pending.push(catalogCheck(sy, simulated, ms));
    } else {
      for (const name of ['key valid', 'credits', 'catalog'])
        pending.push(Promise.resolve(check(name, 'skip', 'settings are invalid')));
    }
    if (gateway) {
      pending.push(ledgerCheck(gateway, ms));
      pending.push(redisCheck(gateway.redisUrl, ms));
    } else {
      for (const name of ['ledger', 'redis'])
        pending.push(Promise.resolve(check(name, 'skip', 'gateway settings are invalid')));
    }
    for (const result of pending) report(await result);
  } finally {
    await client?.close();
  }

  const failed = results.filter((r) => r.status === 'fail');
  if (flags.json) {
    output.json({ ok: failed.length === 0, checks: results });
  } else if (failed.length === 0) {
    output.out(output.green(`\nNo problems found (${results.length} checks).`));
  }
  if (failed.length > 0) {
    throw new FailureExit(
      `doctor: ${failed.length} of ${results.length} checks failed (${failed.map((r) => r.name).join(', ')})`,
    );
  }
}
