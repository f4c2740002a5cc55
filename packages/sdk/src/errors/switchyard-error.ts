/**
 * The root of every error switchyard throws. `code` is a stable string to switch on; classes are kept tiny.
 *
 * `instanceof` must work even when two copies of the package are loaded (a bundler duplicating it, a gateway and an
 * app on different versions), so class checks go through a registered-symbol marker instead of the prototype chain.
 */
import type { AttemptRecord } from '../routing/trace.js';

const MARKER = Symbol.for('switchyard.error');
const KINDS = Symbol.for('switchyard.error.kinds');

/** What a request delivered before it failed, so nothing that was received is lost. */
export interface PartialOutput {
  text: string;
  reasoning: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  usage?: { promptTokens: number; completionTokens: number; totalTokens: number };
  costUsd?: number;
  model?: string;
  provider?: string;
  generationId?: string;
}

export interface SwitchyardErrorOptions {
  status?: number;
  retryable?: boolean;
  retryAfterMs?: number;
  model?: string;
  provider?: string;
  metadata?: Record<string, unknown>;
  generationId?: string;
  partial?: PartialOutput;
  cause?: unknown;
}

export class SwitchyardError extends Error {
  /** Class identity that survives minification and duplicate package copies (see `instanceof` below). */
  static readonly kind: string = 'SwitchyardError';
  /** Stable machine-readable code, e.g. `rate_limited`. Never changes for a given class. */
  readonly code: string = 'switchyard_error';
  /** HTTP status (or the in-band error code) when the error came from a response. */
  status?: number;
  /** Whether trying again (after `retryAfterMs`) may succeed. */
  retryable: boolean;
  /** How long the server asked us to wait before retrying. */
  retryAfterMs?: number;
  /** The model the failing attempt used. */
  model?: string;
  /** The upstream provider that failed, when known. */
  provider?: string;
  /** `error.metadata` of OpenRouter's envelope (raw upstream body, moderation reasons, …). */
  metadata?: Record<string, unknown>;
  generationId?: string;
  /** Output received before the failure (a stream cut mid-answer, a completion with `finish_reason: "error"`). */
  partial?: PartialOutput;
  /** Every attempt the routing engine made before giving up (model, provider, status, latency, why it moved on). */
  attempts?: AttemptRecord[];

  constructor(message: string, options: SwitchyardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.model = options.model;
    this.provider = options.provider;
    this.metadata = options.metadata;
    this.generationId = options.generationId;
    this.partial = options.partial;
  }

  override get name(): string {
    return kindOf(this.constructor);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null || !(MARKER in value)) return false;
    // `this` is the class `instanceof` was asked about (a subclass, usually); match by its registered kind name.
    const kinds = (value as { [KINDS]?: readonly string[] })[KINDS] ?? [];
    // biome-ignore lint/complexity/noThisInStatic: `this` must be the subclass, not SwitchyardError
    return kinds.includes(kindOf(this));
  }

  /** Plain-object form for logs and JSON responses (never includes request bodies or keys). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      model: this.model,
      provider: this.provider,
      generationId: this.generationId,
      metadata: this.metadata,
      attempts: this.attempts,
    };
  }
}

function kindOf(cls: unknown): string {
  const own = Object.hasOwn(cls as object, 'kind') ? (cls as { kind: string }).kind : undefined;
  return own ?? (cls as { name: string }).name;
}

/** Stamps the marker and the class chain's kind names on every instance (called once per class below). */
Object.defineProperty(SwitchyardError.prototype, MARKER, { value: true });
Object.defineProperty(SwitchyardError.prototype, KINDS, {
  get(this: object) {
    const kinds: string[] = [];
    for (
      let proto = Object.getPrototypeOf(this);
      proto && proto !== Object.prototype;
      proto = Object.getPrototypeOf(proto)
    ) {
      const ctor = proto.constructor as { kind?: string; name: string };
      if (ctor && ctor !== Error) kinds.push(kindOf(ctor));
    }
    return kinds;
  },
});
