import { isCancel, select, text } from '@clack/prompts';
import { DEFAULT_BASE_URL, type Model, type ResolvedConfig, type Switchyard } from '@switchyard/sdk';
import { type Output, perMillion, tokens } from '../support/output.js';
import { startIndicator } from './indicator.js';
import { checkAgainst, configModelNames } from './model-lookup.js';

/** How many catalog models the picker lists (the rest are reachable by typing an id). */
export const PICKER_SIZE = 20;

export interface ProviderChoice {
  /** The name the SDK knows it by (`openrouter`, `simulator`, or a `[providers.<name>]` entry). */
  name: string;
  label: string;
  hint: string;
  /** Listed but not selectable (OpenRouter without a key). */
  disabled: boolean;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * The providers a chat can use: OpenRouter (selectable with a key and DEV_MODE off), the offline simulator, and
 * every OpenAI-compatible or OpenRouter-compatible server configured under `[providers.<name>]`.
 */
export function providerChoices(config: ResolvedConfig): ProviderChoice[] {
  const custom = config.baseURL !== DEFAULT_BASE_URL ? ` at ${hostOf(config.baseURL)}` : '';
  const openrouter: ProviderChoice = config.devMode
    ? { name: 'openrouter', label: 'OpenRouter', hint: 'DEV_MODE is on: the simulator answers instead', disabled: true }
    : config.apiKey
      ? { name: 'openrouter', label: 'OpenRouter', hint: `hundreds of models${custom}`, disabled: false }
      : { name: 'openrouter', label: 'OpenRouter', hint: 'set OPENROUTER_API_KEY to use it', disabled: true };
  const choices: ProviderChoice[] = [
    openrouter,
    {
      name: 'simulator',
      label: 'Simulator',
      hint: 'offline OpenRouter look-alike: simulated models, prices and answers',
      disabled: false,
    },
  ];
  if (config.provider === 'openai-compatible' && !config.providers['openai-compatible']) {
    choices.push({
      name: 'openai-compatible',
      label: 'openai-compatible',
      hint: `OpenAI-compatible server at ${hostOf(config.baseURL)}`,
      disabled: false,
    });
  }
  for (const [name, settings] of Object.entries(config.providers)) {
    const kind = settings.type === 'openrouter' ? 'OpenRouter-compatible' : 'OpenAI-compatible';
    const models = settings.models.length ? `, ${settings.models.length} configured models` : '';
    choices.push({
      name,
      label: name,
      hint: `${kind} server at ${hostOf(settings.baseURL)}${models}`,
      disabled: false,
    });
  }
  return choices;
}

/** The provider menu; undefined when cancelled (Esc / Ctrl+C). */
export async function pickProvider(choices: ProviderChoice[], current: string): Promise<string | undefined> {
  const usable = choices.find((c) => c.name === current && !c.disabled) ?? choices.find((c) => !c.disabled);
  const choice = await select({
    message: 'Provider',
    options: choices.map((c) => ({ value: c.name, label: c.label, hint: c.hint, disabled: c.disabled })),
    initialValue: usable?.name,
  });
  return isCancel(choice) ? undefined : choice;
}

const CUSTOM = '\u0000custom';

function cut(textValue: string, width: number): string {
  if (width <= 1) return '';
  return textValue.length <= width ? textValue : `${textValue.slice(0, width - 1)}…`;
}

/** The first sentence of a catalog description. */
export function shortDescription(model: Model): string {
  const description = (model.description ?? '').replace(/\s+/g, ' ').trim();
  const sentence = /^(.+?[.!?])(\s|$)/.exec(description)?.[1] ?? description;
  return sentence;
}

/** `OpenAI: GPT-4o-mini  128K ctx  $0.15/M in  $0.60/M out`, column-aligned across the rows. */
export function modelRows(models: Model[]): string[] {
  const nameWidth = Math.min(34, Math.max(...models.map((m) => m.name.length), 10));
  const context = models.map((m) => (m.context_length ? `${tokens(m.context_length)} ctx` : ''));
  const contextWidth = Math.max(...context.map((c) => c.length), 0);
  const input = models.map((m) => `${perMillion(m.pricing.prompt)} in`);
  const inputWidth = Math.max(...input.map((c) => c.length), 0);
  return models.map((m, i) =>
    [
      cut(m.name, nameWidth).padEnd(nameWidth),
      context[i]!.padStart(contextWidth),
      input[i]!.padEnd(inputWidth),
      `${perMillion(m.pricing.completion)} out`,
    ].join('  '),
  );
}

/** `openai/gpt-4o-mini — OpenAI: GPT-4o-mini, 128K context, $0.15/M in, $0.60/M out` */
export function describeModel(id: string, model: Model | undefined): string {
  if (!model) return id;
  const parts = [
    model.name !== id ? model.name : '',
    model.context_length ? `${tokens(model.context_length)} context` : '',
  ];
  parts.push(`${perMillion(model.pricing.prompt)} in`, `${perMillion(model.pricing.completion)} out`);
  return `${id} — ${parts.filter(Boolean).join(', ')}`;
}

export interface PickedModel {
  id: string;
  model?: Model;
}

/**
 * The model picker: the provider's top models (name, context, prices; the id and a short description on the
 * highlighted row) and "Type a model id…", whose input is checked against the whole catalog with "did you mean"
 * suggestions. Undefined when cancelled. When the catalog cannot be read, asks for an id and sends it unchecked.
 */
export async function pickModel(
  sy: Switchyard,
  output: Output,
  providerLabel: string,
  current: string | undefined,
): Promise<PickedModel | undefined> {
  const loading = startIndicator(output, `loading the models of ${providerLabel}…`);
  let all: Model[] | undefined;
  let top: Model[] = [];
  let failure: string | undefined;
  try {
    all = await sy.models.list();
    top = await sy.models.top(PICKER_SIZE);
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  } finally {
    loading.stop();
  }
  const names = configModelNames(sy);
  if (!all) {
    output.err(output.yellow(`Could not load the models of ${providerLabel}: ${failure}`));
    return typeModelId(undefined, names, current);
  }
  if (top.length === 0) top = all.slice(0, PICKER_SIZE);
  const rows = modelRows(top);
  const labelWidth = Math.max(...rows.map((r) => r.length), 0);
  // Room for `(id — description)` after the highlighted row: the columns minus clack's "│  ● ", the label, the
  // parentheses and a margin (clack's wrapping counts "—" and "…" as two columns).
  const hintWidth = output.columns - labelWidth - 14;
  const options = top.map((m, i) => ({
    value: m.id,
    label: rows[i]!,
    hint: hintWidth >= 12 ? cut(`${m.id}${shortDescription(m) ? ` — ${shortDescription(m)}` : ''}`, hintWidth) : '',
  }));
  options.push({
    value: CUSTOM,
    label: 'Type a model id…',
    hint: `any of the ${all.length} models of ${providerLabel}`,
  });
  const initial = current && top.some((m) => m.id === current) ? current : top[0]?.id;
  const choice = await select({
    message: `Model — top ${top.length} of ${all.length} on ${providerLabel}`,
    options,
    initialValue: initial ?? CUSTOM,
    maxItems: Math.max(5, Math.min(options.length, (process.stdout.rows || 24) - 6)),
  });
  if (isCancel(choice)) return undefined;
  if (choice !== CUSTOM) return { id: choice, model: top.find((m) => m.id === choice) };
  return typeModelId(all, names, current);
}

/** The "type a model id" prompt, validated against `models` when known. */
async function typeModelId(
  models: Model[] | undefined,
  names: string[],
  current: string | undefined,
): Promise<PickedModel | undefined> {
  const answer = await text({
    message: models ? 'Model id (checked against the catalog)' : 'Model id (the catalog is unavailable: not checked)',
    placeholder: current ?? 'author/model, e.g. openai/gpt-4o-mini',
    validate: (value) => {
      const id = (value ?? '').trim();
      if (id === '') return 'Type a model id (Esc goes back)';
      if (/\s/.test(id)) return 'A model id has no spaces';
      if (!models) return undefined;
      const lookup = checkAgainst(models, id, names);
      if (lookup.kind !== 'unknown') return undefined;
      return `Unknown model "${id}".${lookup.hint || ` It is not among the ${lookup.catalogSize} models of the catalog.`}`;
    },
  });
  if (isCancel(answer)) return undefined;
  const id = answer.trim();
  const lookup = models ? checkAgainst(models, id, names) : undefined;
  return { id, model: lookup?.kind === 'known' ? lookup.model : undefined };
}
