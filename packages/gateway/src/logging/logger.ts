import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Paths pino blanks out before a line is written: credentials wherever they appear in request logs, and prompt and
 * answer bodies unless `logPrompts` is on. Redaction happens in pino's serializer, so no code path can forget it.
 */
const SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'apiKey',
  'api_key',
  'key',
  'token',
  'adminToken',
  'keySecret',
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  '*.token',
];
const PROMPT_PATHS = ['messages', 'body.messages', 'prompt', 'text', '*.messages', 'answer'];

export interface LoggerOptions {
  level?: string;
  logPrompts?: boolean;
  /** Where lines go (default stdout); tests pass a stream to capture them. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const paths = options.logPrompts ? SECRET_PATHS : [...SECRET_PATHS, ...PROMPT_PATHS];
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: 'switchyard' },
      redact: { paths, censor: '[redacted]' },
      serializers: {
        err: (error: unknown) => {
          if (!(error instanceof Error)) return error;
          const { message, name } = error;
          const code = (error as { code?: unknown }).code;
          return { name, message: scrub(message), code };
        },
      },
    },
    options.destination,
  );
}

/** Keys that slip into free text (error messages quoting a header) are masked too. */
export function scrub(text: string): string {
  return text
    .replace(/\b(sk-(?:or|sy)-v?\d*-?)[A-Za-z0-9_-]{6,}/g, (_m, prefix: string) => `${prefix}…`)
    .replace(/(Bearer\s+)[^\s"']+/gi, '$1[redacted]');
}

export type { Logger };
