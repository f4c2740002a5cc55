import type { Model, ModelEndpoint, Switchyard } from '@switchyard/sdk';
import { wrapText } from '../probe/wrap-text.js';
import { type Output, perMillion, table, tokens } from '../support/output.js';

// How `switchyard models` shows models: the table of a search, and one model in detail with its endpoints.

/** Input modalities (`text+image`), then `→output` when the model produces more or other than text. */
function modalities(model: Model): string {
  const arch = model.architecture;
  const input = arch?.input_modalities?.length ? arch.input_modalities.join('+') : '?';
  const outputs = arch?.output_modalities ?? [];
  return outputs.length === 1 && outputs[0] === 'text' ? input : `${input}→${outputs.join('+') || '?'}`;
}

/** What a model can do beyond text: `tools`, `json` (structured output), `reasoning`. */
function features(model: Model): string {
  const params = new Set(model.supported_parameters ?? []);
  const flags: string[] = [];
  if (params.has('tools')) flags.push('tools');
  if (params.has('response_format') || params.has('structured_outputs')) flags.push('json');
  if (params.has('reasoning') || params.has('include_reasoning') || model.reasoning) flags.push('reasoning');
  return flags.join(' ');
}

function price$(value: string | undefined, output: Output): string {
  const text = perMillion(value);
  if (Number(value) < 0) return 'varies';
  return text === 'free' ? output.green(text) : text;
}

export function printTable(rows: Model[], output: Output): void {
  const cells = rows.map((m) => [
    m.id,
    m.name ?? '',
    tokens(m.context_length ?? m.top_provider?.context_length),
    price$(m.pricing?.prompt, output),
    price$(m.pricing?.completion, output),
    modalities(m),
    features(m),
  ]);
  const headers = ['ID', 'NAME', 'CONTEXT', 'PROMPT', 'COMPLETION', 'MODALITIES', 'FLAGS'];
  // Ids are never cut (they are what you copy); the name gives way when the terminal is narrow.
  const others = headers
    .map((h, i) => (i === 1 ? 0 : Math.max(h.length, ...cells.map((row) => (row[i] as string).length))))
    .reduce((sum, w) => sum + w + 2, 0);
  const nameMax = output.interactive ? Math.max(12, Math.min(40, output.columns - others)) : 40;
  output.out(
    table(
      [
        { header: headers[0] as string },
        { header: headers[1] as string, max: nameMax },
        { header: headers[2] as string, align: 'right' },
        { header: headers[3] as string, align: 'right' },
        { header: headers[4] as string, align: 'right' },
        { header: headers[5] as string },
        { header: headers[6] as string },
      ],
      cells,
    ),
  );
}

function date(epochSeconds: number | undefined): string {
  return epochSeconds ? new Date(epochSeconds * 1000).toISOString().slice(0, 10) : '—';
}

/**
 * The p50 latency in milliseconds. OpenRouter's spec says the stats are milliseconds, but its example and the values
 * it serves are seconds (0.25); below 20 a value can only be seconds for an LLM endpoint, so it is converted.
 */
function latencyP50(stats: ModelEndpoint['latency_last_30m']): string {
  if (!stats || typeof stats.p50 !== 'number') return '—';
  const ms = stats.p50 < 20 ? stats.p50 * 1000 : stats.p50;
  return `${Math.round(ms)} ms`;
}

function throughputP50(stats: ModelEndpoint['throughput_last_30m']): string {
  if (!stats || typeof stats.p50 !== 'number') return '—';
  return `${Math.round(stats.p50)}`;
}

export async function printDetails(sy: Switchyard, model: Model, output: Output): Promise<void> {
  const width = Math.min(output.columns, 100);
  const label = (name: string) => output.bold(name.padEnd(12));
  const pricing = model.pricing ?? { prompt: '0', completion: '0' };
  const priceParts = [
    `prompt ${price$(pricing.prompt, output)}`,
    `completion ${price$(pricing.completion, output)}`,
    pricing.input_cache_read ? `cache read ${perMillion(pricing.input_cache_read)}` : undefined,
    pricing.input_cache_write ? `cache write ${perMillion(pricing.input_cache_write)}` : undefined,
    pricing.request && Number(pricing.request) > 0 ? `per request $${pricing.request}` : undefined,
  ].filter(Boolean);
  const lines = [`${output.bold(model.id)} — ${model.name ?? ''}`];
  if (model.description) lines.push('', ...wrapText(model.description, width));
  const maxOut = model.top_provider?.max_completion_tokens;
  lines.push(
    '',
    `${label('Context')} ${tokens(model.context_length ?? model.top_provider?.context_length)} tokens${maxOut ? ` (max output ${tokens(maxOut)})` : ''}`,
    `${label('Prices')} ${priceParts.join(' · ')}`,
    `${label('Modalities')} ${modalities(model)}`,
    `${label('Features')} ${features(model) || '—'}`,
  );
  const params = wrapText((model.supported_parameters ?? []).join(', '), width - 13);
  lines.push(`${label('Parameters')} ${params[0] ?? '—'}`, ...params.slice(1).map((l) => `${' '.repeat(13)}${l}`));
  lines.push(`${label('Added')} ${date(model.created)}`);
  if (model.knowledge_cutoff) lines.push(`${label('Knowledge')} ${model.knowledge_cutoff}`);
  if (model.expiration_date) lines.push(`${label('Expires')} ${output.yellow(model.expiration_date)}`);
  output.out(lines.join('\n'));

  const listing = await sy.models.endpoints(model.id).catch(() => undefined);
  if (!listing?.endpoints?.length) return;
  output.out(`\n${output.bold('Endpoints')}`);
  output.out(
    table(
      [
        { header: 'PROVIDER' },
        { header: 'CONTEXT', align: 'right' },
        { header: 'PROMPT', align: 'right' },
        { header: 'COMPLETION', align: 'right' },
        { header: 'QUANT' },
        { header: 'UPTIME 30M', align: 'right' },
        { header: 'LATENCY P50', align: 'right' },
        { header: 'TOK/S P50', align: 'right' },
      ],
      listing.endpoints.map((e) => [
        e.provider_name,
        tokens(e.context_length),
        price$(e.pricing?.prompt, output),
        price$(e.pricing?.completion, output),
        e.quantization ?? '—',
        e.uptime_last_30m === null || e.uptime_last_30m === undefined ? '—' : `${e.uptime_last_30m}%`,
        latencyP50(e.latency_last_30m),
        throughputP50(e.throughput_last_30m),
      ]),
    ),
  );
}
