import { writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Message } from '@switchyard/sdk';
import { usd } from '../support/output.js';
import type { TranscriptTurn } from './conversation.js';
import type { SessionTotals } from './session-totals.js';

/** Everything `/save` writes. */
export interface TranscriptDocument {
  savedAt: string;
  /** The switchyard provider in use (`simulator`, `openrouter`, a configured name). */
  provider: string;
  /** The model chosen for the next answer (undefined: the SDK's default). */
  model: string | undefined;
  system: string | undefined;
  turns: TranscriptTurn[];
  /** The conversation as the next request would send it (OpenAI/OpenRouter message format). */
  messages: Message[];
  totals: SessionTotals;
}

export type TranscriptFormat = 'json' | 'markdown';

/** `.json` → JSON; anything else (`.md`, `.markdown`, `.txt`, none) → Markdown. */
export function formatFor(path: string): TranscriptFormat {
  return extname(path).toLowerCase() === '.json' ? 'json' : 'markdown';
}

export function renderJson(doc: TranscriptDocument): string {
  return `${JSON.stringify(
    {
      format: 'switchyard-chat-transcript',
      version: 1,
      savedAt: doc.savedAt,
      provider: doc.provider,
      model: doc.model ?? null,
      system: doc.system ?? null,
      turns: doc.turns,
      messages: doc.messages,
      totals: doc.totals.toJSON(),
    },
    null,
    2,
  )}\n`;
}

function turnFooter(turn: TranscriptTurn): string {
  const parts: string[] = [];
  if (turn.usage)
    parts.push(`${turn.usage.totalTokens} tokens (${turn.usage.promptTokens} in · ${turn.usage.completionTokens} out)`);
  if (turn.cost) parts.push(turn.cost.unpriced ? 'cost unknown' : usd(turn.cost.usd));
  if (turn.model) parts.push(`${turn.model}${turn.provider ? ` via ${turn.provider}` : ''}`);
  parts.push(turn.backend);
  if (turn.generationId) parts.push(turn.generationId);
  const status = turn.status === 'stopped' ? ' — stopped (Ctrl+C)' : turn.status === 'failed' ? ` — ${turn.error}` : '';
  return `_${parts.join(' · ')}${status}_`;
}

export function renderMarkdown(doc: TranscriptDocument): string {
  const lines = [
    '# switchyard chat',
    '',
    `- Saved: ${doc.savedAt}`,
    `- Provider: ${doc.provider}`,
    `- Model: ${doc.model ?? '(default)'}`,
    ...(doc.system ? [`- System prompt: ${doc.system.replace(/\s*\n\s*/g, ' ')}`] : []),
    `- Session: ${doc.totals.summary()}`,
    '',
  ];
  for (const turn of doc.turns) {
    lines.push('## You', '', turn.user, '', `## Assistant`, '', turn.assistant, '', turnFooter(turn), '');
  }
  if (doc.turns.length === 0) lines.push('_No messages yet._', '');
  return lines.join('\n');
}

/** Writes the transcript; returns the absolute path and the format used. Throws the file system's error. */
export async function saveTranscript(
  path: string,
  doc: TranscriptDocument,
): Promise<{ path: string; format: TranscriptFormat }> {
  const format = formatFor(path);
  const absolute = resolve(path);
  await writeFile(absolute, format === 'json' ? renderJson(doc) : renderMarkdown(doc), 'utf8');
  return { path: absolute, format };
}
