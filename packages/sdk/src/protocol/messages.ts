/**
 * Wire types of chat messages (OpenRouter's dialect of the OpenAI format). Lenient on purpose: every object allows
 * extra fields, because the service adds fields without notice and clients must pass them through.
 */

export type Extra = { [key: string]: unknown };

export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export interface TextPart extends Extra {
  type: 'text';
  text: string;
  cache_control?: CacheControl;
}

export interface ImagePart extends Extra {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' | 'original' };
}

export interface AudioPart extends Extra {
  type: 'input_audio';
  input_audio: { data: string; format: string };
}

export interface FilePart extends Extra {
  type: 'file';
  file: { filename?: string; file_data?: string; file_id?: string };
}

export interface VideoPart extends Extra {
  type: 'video_url' | 'input_video';
  video_url: { url: string };
}

export type ContentPart = TextPart | ImagePart | AudioPart | FilePart | VideoPart;

/** One item of `reasoning_details`: opaque to us, replayed byte for byte on the next turn. */
export interface ReasoningDetail extends Extra {
  type: 'reasoning.text' | 'reasoning.summary' | 'reasoning.encrypted' | 'reasoning.server_tool_call' | (string & {});
  text?: string | null;
  summary?: string;
  data?: string;
  signature?: string | null;
  id?: string | null;
  format?: string | null;
  index?: number;
}

export interface ToolCall extends Extra {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface UrlCitation extends Extra {
  type: 'url_citation';
  url_citation: { url: string; title?: string; content?: string; start_index?: number; end_index?: number };
}

export type Annotation = UrlCitation | (Extra & { type: string });

export interface SystemMessage extends Extra {
  role: 'system' | 'developer';
  content: string | TextPart[];
  name?: string;
}

export interface UserMessage extends Extra {
  role: 'user';
  content: string | ContentPart[];
  name?: string;
}

export interface AssistantMessage extends Extra {
  role: 'assistant';
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  reasoning?: string | null;
  reasoning_details?: ReasoningDetail[];
  refusal?: string | null;
  annotations?: Annotation[];
  images?: { type?: 'image_url'; image_url: { url: string } }[];
}

export interface ToolMessage extends Extra {
  role: 'tool';
  tool_call_id: string;
  content: string | ContentPart[];
}

export type Message = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

export interface FunctionTool extends Extra {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
  cache_control?: CacheControl;
}

/** OpenRouter server tools (`openrouter:web_search`, …) are passed through untouched. */
export type Tool = FunctionTool | (Extra & { type: string });

export type ToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; function: { name: string } }
  | (Extra & { type: string });
