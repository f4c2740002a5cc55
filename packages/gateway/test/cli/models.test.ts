import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, cliEnv, expectNoStackTrace, runCli, useSimulators } from '../support/cli.js';

// `switchyard models` driven as a child process (the built CLI), on the embedded simulator (no key) and against a
// simulator started here.

const simulator = useSimulators();

interface Row {
  id: string;
  name: string;
  context_length: number;
  created: number;
  pricing: { prompt: string; completion: string };
  architecture: { input_modalities: string[]; output_modalities: string[] };
  supported_parameters: string[];
}

const dir = mkdtempSync(join(tmpdir(), 'sy-models-'));

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cliEnv(dir, { extra });
}

function models(args: string[], environment: NodeJS.ProcessEnv = env()): Promise<CliRun> {
  return runCli(['models', ...args], { cwd: dir, env: environment });
}

async function json(args: string[]): Promise<Row[]> {
  const run = await models([...args, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout).data;
}

const perMillion = (perToken: string) => Number(perToken) * 1_000_000;

describe('switchyard models', () => {
  it('prints an aligned table, most used first, and says the simulator is in use', async () => {
    const run = await models(['--top', '5']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+CONTEXT\s+PROMPT\s+COMPLETION\s+MODALITIES\s+FLAGS$/);
    expect(lines[1]).toMatch(/^-+( {2}-+){6}$/);
    expect(lines).toHaveLength(7);
    // Aligned: every column starts where its header does.
    const at = (header: string) => (lines[0] as string).indexOf(header);
    for (const line of lines.slice(2)) {
      expect(line[at('NAME') - 1]).toBe(' ');
      // Prices are right-aligned under their headers.
      expect(line.slice(0, at('PROMPT') + 'PROMPT'.length)).toMatch(/ (\$[\d.]+\/M|free)$/);
      expect(line.slice(0, at('COMPLETION') + 'COMPLETION'.length)).toMatch(/ (\$[\d.]+\/M|free)$/);
    }
    expect(lines[2]).toMatch(/\$\d+(\.\d+)?\/M/);
    expect(run.stderr.split('\n')[0]).toMatch(/^Using the offline simulator \(no OPENROUTER_API_KEY is set\)/);
    expect(run.stderr).toContain('5 models, most used first');
    const top = await json(['--top', '5']);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(top.map((m) => m.id));
  });

  it('searches with words and filters through the SDK catalog query', async () => {
    const llama = await json(['llama', 'instruct', '--free', '--sort', 'context']);
    expect(llama.length).toBeGreaterThan(1);
    for (const m of llama) {
      expect(`${m.id} ${m.name}`.toLowerCase()).toContain('llama');
      expect(m.pricing.prompt).toBe('0');
    }
    const contexts = llama.map((m) => m.context_length);
    expect(contexts).toEqual([...contexts].sort((a, b) => b - a));

    const cheap = await json([
      '--supports',
      'tools,response_format',
      '--min-context',
      '128k',
      '--max-price',
      '1',
      '--sort',
      'price',
    ]);
    expect(cheap.length).toBeGreaterThan(1);
    for (const m of cheap) {
      expect(m.supported_parameters).toEqual(expect.arrayContaining(['tools', 'response_format']));
      expect(m.context_length).toBeGreaterThanOrEqual(128_000);
      expect(perMillion(m.pricing.prompt)).toBeLessThanOrEqual(1);
      expect(perMillion(m.pricing.completion)).toBeLessThanOrEqual(1);
    }
    const totals = cheap.map((m) => Number(m.pricing.prompt) + Number(m.pricing.completion));
    expect(totals).toEqual([...totals].sort((a, b) => a - b));

    const vision = await json(['--modality', 'image', '--author', 'openai']);
    expect(vision.length).toBeGreaterThan(0);
    for (const m of vision) {
      expect(m.architecture.input_modalities).toContain('image');
      expect(m.id.replace(/^~/, '').startsWith('openai/')).toBe(true); // `~openai/…-latest` aliases too
    }
    const embeddings = await json(['--output', 'embeddings']);
    expect(embeddings.length).toBeGreaterThan(0);
    for (const m of embeddings) expect(m.architecture.output_modalities).toContain('embeddings');

    const newest = await json(['--sort', 'newest', '--top', '10']);
    expect(newest).toHaveLength(10);
    const created = newest.map((m) => m.created);
    expect(created).toEqual([...created].sort((a, b) => b - a));

    const none = await models(['no-such-model-anywhere']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No models match');
  });

  it('shows one model in detail, with its provider endpoints', async () => {
    const run = await models(['meta-llama/llama-3.3-70b-instruct']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^meta-llama\/llama-3\.3-70b-instruct — /);
    expect(run.stdout).toMatch(/\nContext {6}\s*\d+K tokens/);
    expect(run.stdout).toMatch(/\nPrices {7}\s*prompt \$[\d.]+\/M · completion \$[\d.]+\/M/);
    expect(run.stdout).toMatch(/\nEndpoints\nPROVIDER\s+CONTEXT\s+PROMPT\s+COMPLETION\s+QUANT\s+UPTIME 30M/);
    const detail = await models(['meta-llama/llama-3.3-70b-instruct', '--json']);
    const parsed = JSON.parse(detail.stdout);
    expect(parsed.data.id).toBe('meta-llama/llama-3.3-70b-instruct');
    expect(parsed.endpoints.length).toBeGreaterThan(1);
    // OpenRouter serves latency percentiles in seconds (0.25): the table shows milliseconds.
    const first = parsed.endpoints[0];
    const row = run.stdout.split('\n').find((line) => line.startsWith(`${first.provider_name} `)) ?? '';
    expect(row).toContain(` ${Math.round(first.latency_last_30m.p50 * 1000)} ms `);
    expect(row.trimEnd().endsWith(` ${Math.round(first.throughput_last_30m.p50)}`)).toBe(true);
  });

  it('colours only when allowed: FORCE_COLOR on a pipe, never with NO_COLOR', async () => {
    const forced = await models(['--free', '--top', '2'], env({ FORCE_COLOR: '1' }));
    expect(forced.stdout).toContain('\u001b[32mfree\u001b[39m');
    const plain = await models(['--free', '--top', '2'], env({ FORCE_COLOR: '1', NO_COLOR: '1' }));
    expect(plain.stdout).not.toContain('\u001b[');
    expect(plain.stderr).not.toContain('\u001b[');
    const piped = await models(['--free', '--top', '2']);
    expect(piped.stdout).not.toContain('\u001b[');
  });

  it('lists a key-holder’s catalog from OpenRouter (a simulator here) and keeps it on disk for offline use', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sy-models-home-'));
    const sim = await simulator();
    const keyed = cliEnv(home, { openRouter: { url: sim.url, apiKey: 'sk-or-v1-models-test' } });
    const online = await models(['--free'], keyed);
    expect(online.code, online.stderr).toBe(0);
    expect(online.stderr).not.toContain('simulator');
    expect(online.stdout + online.stderr).not.toContain('sk-or-v1-models-test');
    const cache = join(home, '.cache', 'switchyard');
    expect(existsSync(cache) && readdirSync(cache).length).toBeTruthy();
    await sim.close();
    const offline = await models(['--free'], keyed);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toBe(online.stdout);
  });

  it('refuses bad flags with one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--sort', 'cheapest'],
        /argument 'cheapest' is invalid\. Allowed choices are popular, price, context, newest, name/,
      ],
      [['--top', '0'], /expected a positive integer, got 0/],
      [['--top', 'ten'], /expected an integer, got "ten"/],
      [['--min-context', 'lots'], /expected a token count such as 32000, 128k or 1m/],
      [['--max-price', '-1'], /expected USD per million tokens/],
      [['--free', '--paid'], /^switchyard: --free and --paid exclude each other\n$/m],
    ];
    for (const [args, message] of cases) {
      const run = await models(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expectNoStackTrace(run.stderr);
      expect(run.stdout).toBe('');
    }
    const help = await models(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('--supports <params>');
  });
});
