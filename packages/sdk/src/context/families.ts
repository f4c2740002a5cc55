/**
 * Per-tokenizer-family profiles for the token estimator, keyed by the catalog's `architecture.tokenizer` value.
 *
 * Text weights: the base weights in `token-estimator.ts` are calibrated so English prose comes out at 4.0
 * characters per token (GPT/o200k). A family's `english` figure (its average characters per token on English)
 * scales those Latin-script weights, so Claude (3.5) counts ~14% more tokens than GPT for the same prose.
 * Scripts the English figure says nothing about get absolute weights (tokens per character): `cjk` (≈1–1.5
 * characters per token everywhere; the Chinese-heavy vocabularies of Qwen, Yi and DeepSeek do best, the 32k
 * SentencePiece vocabularies of Llama 2 and Mistral fall back to bytes and do worst), `other` (Cyrillic, accented
 * Latin, Greek, Arabic, Indic, …) and `emoji` (one token in large vocabularies, up to four byte tokens in small ones).
 * `singleDigits`: SentencePiece tokenizers (Llama 2, Mistral, Gemini/Gemma, Qwen, Yi) split numbers into single
 * digits; tiktoken-style ones (GPT, Llama 3/4) into groups of up to three. Where a vendor does not publish its
 * tokenizer (Claude, Grok, Cohere, Nova) the choice is the conservative one.
 *
 * Framing: `perMessage` is the chat template's cost per message (role markers and separators: OpenAI's
 * `<|start|>role<|message|>…<|end|>` ≈ 4, ChatML's `<|im_start|>role\n…<|im_end|>\n` = 5, Gemma's
 * `<start_of_turn>role\n…<end_of_turn>\n` = 5, Llama 3's header tokens + `<|eot_id|>` = 5, Mistral's
 * `[INST]…[/INST]…</s>` ≈ 3); `priming` opens the reply (OpenAI: 3, matching the cookbook's count).
 * `tools` is the fixed preamble a template adds when tools are present on top of the tools' JSON (Anthropic
 * documents 346 tokens of tool-use system prompt; Llama 3.1 and Qwen add a paragraph of calling instructions).
 *
 * Media are flat estimates because the size of an image or the length of a clip is not known without decoding it:
 * GPT-style images cost 85 tokens at `detail: "low"` and 85 + 170 × tiles at high detail (765 for a 1024×1024
 * image, the usual case); Claude ≈ width × height / 750, capped around 1600 for ~1.15 MP images, whatever
 * `detail` says; Gemini 258 per 768×768 tile (1032 for four tiles); Gemma 256 per image. Audio assumes a ~20 s
 * clip (200 tokens, the simulator's figure; Gemini counts 32 tokens per second: 640). Files assume one PDF page of
 * extracted text (500; Claude adds a page image: 2000). Video 500 (Gemini counts 263 per second: ~10 s = 2630).
 * Longer media cost proportionally more: leave headroom (the context guard warns at 80% by default).
 */

export interface FamilyProfile {
  /** Average characters per token on English prose. */
  english: number;
  cjk: number;
  other: number;
  emoji: number;
  singleDigits: boolean;
  perMessage: number;
  priming: number;
  tools: number;
  image: { low: number; high: number };
  audio: number;
  file: number;
  video: number;
}

type Framing = Pick<FamilyProfile, 'perMessage' | 'priming' | 'tools'>;
type Media = Pick<FamilyProfile, 'image' | 'audio' | 'file' | 'video'>;

const OPENAI: Framing = { perMessage: 4, priming: 3, tools: 10 };
const CHATML: Framing = { perMessage: 5, priming: 3, tools: 60 };
const GEMMA: Framing = { perMessage: 5, priming: 3, tools: 20 };
const LLAMA3: Framing = { perMessage: 5, priming: 5, tools: 60 };
const GENERIC: Framing = { perMessage: 4, priming: 3, tools: 50 };

const MEDIA: Media = { image: { low: 258, high: 1600 }, audio: 200, file: 500, video: 500 };
const GPT_MEDIA: Media = { ...MEDIA, image: { low: 85, high: 765 } };
const GEMINI_MEDIA: Media = { image: { low: 258, high: 1032 }, audio: 640, file: 500, video: 2630 };

/**
 * Unknown names, `Router` (it may land on any model), `Media`, `Other` and no family at all: on the heavy side, so a
 * context check errs towards "does not fit". Claude's text density, framing and tool preamble, single digits,
 * Claude-size images at high detail.
 */
export const DEFAULT_PROFILE: FamilyProfile = {
  english: 3.5,
  cjk: 1.0,
  other: 0.45,
  emoji: 2,
  singleDigits: true,
  perMessage: 5,
  priming: 3,
  tools: 346,
  ...MEDIA,
};

const text = (english: number, cjk: number, other: number, emoji: number, singleDigits: boolean) => ({
  english,
  cjk,
  other,
  emoji,
  singleDigits,
});

const PROFILES: Record<string, FamilyProfile> = {
  gpt: { ...text(4.0, 0.8, 0.3, 1.5, false), ...OPENAI, ...GPT_MEDIA },
  // Anthropic publishes no chat template: 5 per message is an assumption (role markers plus separators).
  claude: {
    ...text(3.5, 1.0, 0.4, 2, true),
    perMessage: 5,
    priming: 3,
    tools: 346,
    ...MEDIA,
    image: { low: 1600, high: 1600 },
    file: 2000,
  },
  gemini: { ...text(4.0, 0.7, 0.3, 1, true), ...GEMMA, ...GEMINI_MEDIA },
  gemma: { ...text(4.0, 0.7, 0.3, 1, true), ...GEMMA, ...MEDIA, image: { low: 256, high: 256 } },
  palm: { ...text(4.0, 0.7, 0.3, 1, true), ...GEMMA, ...MEDIA },
  grok: { ...text(3.8, 0.9, 0.35, 1.5, true), ...GENERIC, ...MEDIA },
  cohere: { ...text(3.9, 0.9, 0.3, 1.5, true), ...GENERIC, ...MEDIA },
  nova: { ...text(3.6, 1.0, 0.4, 2, true), ...GENERIC, ...MEDIA },
  qwen: { ...text(3.7, 0.67, 0.35, 1.5, true), ...CHATML, ...MEDIA },
  yi: { ...text(3.5, 0.67, 0.45, 2, true), ...CHATML, ...MEDIA },
  // DeepSeek-LLM split digits; V3 groups them: single digits is the safe side.
  deepseek: { ...text(3.6, 0.67, 0.35, 1.5, true), perMessage: 3, priming: 2, tools: 60, ...MEDIA },
  mistral: { ...text(3.3, 1.1, 0.45, 2.5, true), perMessage: 3, priming: 1, tools: 10, ...MEDIA },
  llama2: { ...text(3.3, 1.3, 0.5, 3, true), perMessage: 4, priming: 2, tools: 60, ...MEDIA },
  llama3: { ...text(3.8, 0.9, 0.35, 1.5, false), ...LLAMA3, ...MEDIA },
  llama4: { ...text(3.9, 0.8, 0.3, 1.5, false), ...LLAMA3, ...MEDIA },
  rwkv: { ...text(3.5, 1.0, 0.4, 2, true), ...GENERIC, ...MEDIA },
};
PROFILES.qwen3 = PROFILES.qwen!;

/** The profile of a catalog tokenizer name (case-insensitive); unknown or missing names get the pessimistic one. */
export function profileOf(family: string | undefined): FamilyProfile {
  if (!family) return DEFAULT_PROFILE;
  return PROFILES[family.toLowerCase()] ?? DEFAULT_PROFILE;
}
