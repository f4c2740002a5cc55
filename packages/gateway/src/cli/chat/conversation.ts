import type { ChatResult, Message } from '@switchyard/sdk';
import { describeTurnError, partialOf } from './turn.js';

/** One exchange as the transcript keeps it. */
export interface TranscriptTurn {
  at: string;
  user: string;
  assistant: string;
  /** `ok`, `stopped` (Ctrl+C) or `failed` (the answer broke off); the latter two keep the partial answer. */
  status: 'ok' | 'stopped' | 'failed';
  error?: string;
  /** The switchyard provider the request went to (`openrouter`, `simulator`, a configured name). */
  backend: string;
  /** The model that served the answer. */
  model?: string;
  requestedModel?: string;
  /** The upstream provider that served it (`OpenAI`, `DeepInfra`, …). */
  provider?: string;
  generationId?: string;
  usage?: { promptTokens: number; completionTokens: number; totalTokens: number };
  cost?: { usd: number; source: string; unpriced?: boolean };
}

/**
 * The conversation the model sees: an optional system prompt, then the exchanges. Answers that broke off or were
 * stopped stay in it with the text that arrived (that is what the user saw); a failure before any text leaves no
 * trace, so the next message is not sent after an unanswered one.
 */
export class Conversation {
  system: string | undefined;
  private entries: { turn: TranscriptTurn; reply: Message }[] = [];

  constructor(system?: string) {
    this.system = system || undefined;
  }

  get turns(): TranscriptTurn[] {
    return this.entries.map((e) => e.turn);
  }

  get length(): number {
    return this.entries.length;
  }

  /** The messages of the next request: system, earlier exchanges, then `next` (when given). */
  messages(next?: string): Message[] {
    const out: Message[] = [];
    if (this.system) out.push({ role: 'system', content: this.system });
    for (const { turn, reply } of this.entries) out.push({ role: 'user', content: turn.user }, reply);
    if (next !== undefined) out.push({ role: 'user', content: next });
    return out;
  }

  addAnswer(user: string, result: ChatResult, backend: string): TranscriptTurn {
    const turn: TranscriptTurn = {
      at: new Date().toISOString(),
      user,
      assistant: result.text,
      status: 'ok',
      backend,
      model: result.model,
      generationId: result.generationId,
      usage: {
        promptTokens: result.usage.promptTokens,
        completionTokens: result.usage.completionTokens,
        totalTokens: result.usage.totalTokens,
      },
      cost: { usd: result.cost.usd, source: result.cost.source, ...(result.cost.unpriced ? { unpriced: true } : {}) },
    };
    if (result.requestedModel && result.requestedModel !== result.model) turn.requestedModel = result.requestedModel;
    if (result.provider) turn.provider = result.provider;
    // The assistant message as received (keeps reasoning details some models need replayed).
    this.entries.push({ turn, reply: result.message as Message });
    return turn;
  }

  /** Keeps a stopped or broken-off answer's partial text; returns undefined when nothing had arrived. */
  addPartial(user: string, error: unknown, stopped: boolean, backend: string): TranscriptTurn | undefined {
    const partial = partialOf(error);
    if (!partial?.text) return undefined;
    const turn: TranscriptTurn = {
      at: new Date().toISOString(),
      user,
      assistant: partial.text,
      status: stopped ? 'stopped' : 'failed',
      backend,
    };
    if (!stopped) turn.error = describeTurnError(error, false);
    if (partial.model) turn.model = partial.model;
    if (partial.provider) turn.provider = partial.provider;
    if (partial.generationId) turn.generationId = partial.generationId;
    if (partial.usage) turn.usage = { ...partial.usage };
    this.entries.push({ turn, reply: { role: 'assistant', content: partial.text } });
    return turn;
  }

  clear(): void {
    this.entries = [];
  }
}
