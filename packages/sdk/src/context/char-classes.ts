/**
 * One pass over a string that counts what BPE/SentencePiece tokenizers care about. Characters alone are a poor
 * predictor (a space before a word is free, `{"` is one token, a CJK character is about one token), so besides
 * character classes this also counts *runs*, mirroring the pre-tokenizer splits that real tokenizers make before
 * merging: words, digit groups, punctuation runs and whitespace breaks. No regular expressions, no allocation.
 */

export interface CharCounts {
  /** ASCII letters. */
  letters: number;
  /** Runs of letters (ASCII or other-script): most common words are a single token, long ones split. */
  words: number;
  digits: number;
  /** Σ ⌈run / 3⌉ over digit runs: tiktoken-style tokenizers split numbers into groups of up to three digits. */
  digitGroups: number;
  /** Whitespace characters. */
  spaces: number;
  /** Whitespace runs other than one plain space (newlines, indentation): one token each in BPE vocabularies. */
  breaks: number;
  /** ASCII punctuation and general punctuation (U+2000–U+206F: dashes, smart quotes, ellipsis). */
  punct: number;
  /** Runs of punctuation: `{"`, `":`, `);` are usually one token, so a run costs more than its first character. */
  punctRuns: number;
  /** Han, Hiragana, Katakana, Hangul, Bopomofo, CJK punctuation and full-width forms. */
  cjk: number;
  /** Other non-ASCII characters: accented Latin, Cyrillic, Greek, Arabic, Indic, … and combining marks. */
  other: number;
  /** Pictographic emoji and symbol blocks (dingbats, misc symbols, arrows, regional indicators). */
  emoji: number;
}

// The kind of run being scanned (plain numbers rather than an enum: erasable syntax only).
const NONE = 0;
const WORD = 1;
const DIGIT = 2;
const SPACE = 3;
const PUNCT = 4;
type Run = typeof NONE | typeof WORD | typeof DIGIT | typeof SPACE | typeof PUNCT;

function isCjk(code: number): boolean {
  return (
    (code >= 0x2e80 && code <= 0x9fff) || // radicals, CJK punctuation, kana, Bopomofo, Hangul compat jamo, Han
    (code >= 0xac00 && code <= 0xd7ff) || // Hangul syllables and jamo extended-B
    (code >= 0x1100 && code <= 0x11ff) || // Hangul jamo
    (code >= 0xa960 && code <= 0xa97f) || // Hangul jamo extended-A
    (code >= 0xf900 && code <= 0xfaff) || // CJK compatibility ideographs
    (code >= 0xfe30 && code <= 0xfe4f) || // CJK compatibility forms
    (code >= 0xff00 && code <= 0xffef) // half-width and full-width forms
  );
}

function isBmpSymbol(code: number): boolean {
  // ⌚ ⏰ (misc technical), ☀ ❤ ✅ (misc symbols, dingbats), ⬛ ⭐ (misc symbols and arrows).
  return (code >= 0x2300 && code <= 0x23ff) || (code >= 0x2600 && code <= 0x27bf) || (code >= 0x2b00 && code <= 0x2bff);
}

/** ZWJ, variation selectors and the keycap mark glue emoji together; they neither start nor end a word. */
function isJoiner(code: number): boolean {
  return code === 0x200d || code === 0xfe0e || code === 0xfe0f || code === 0x20e3;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

export function countChars(text: string): CharCounts {
  const c: CharCounts = {
    letters: 0,
    words: 0,
    digits: 0,
    digitGroups: 0,
    spaces: 0,
    breaks: 0,
    punct: 0,
    punctRuns: 0,
    cjk: 0,
    other: 0,
    emoji: 0,
  };
  let run: Run = NONE;
  let runLength = 0;
  let plainSpace = true; // the current whitespace run is a single ' ' so far
  const end = (): void => {
    if (run === DIGIT) c.digitGroups += Math.ceil(runLength / 3);
    else if (run === SPACE && !(runLength === 1 && plainSpace)) c.breaks++;
    run = NONE;
    runLength = 0;
  };
  const enter = (next: Run): void => {
    if (run === next) {
      runLength++;
      return;
    }
    // A single punctuation character right before a word is part of that word's token (`.append`, `(n`, `'t`):
    // tiktoken's pre-tokenizer pattern allows one leading non-letter, so that run costs nothing of its own.
    if (next === WORD && run === PUNCT && runLength === 1) c.punctRuns--;
    end();
    run = next;
    runLength = 1;
    if (next === WORD) c.words++;
    else if (next === PUNCT) c.punctRuns++;
    else if (next === SPACE) plainSpace = true;
  };

  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) {
        c.letters++;
        enter(WORD);
      } else if (code >= 0x30 && code <= 0x39) {
        c.digits++;
        enter(DIGIT);
      } else if (isWhitespace(code)) {
        c.spaces++;
        enter(SPACE);
        if (code !== 0x20) plainSpace = false;
      } else {
        c.punct++;
        enter(PUNCT);
      }
      continue;
    }
    // Astral code points arrive as surrogate pairs; decode them so one emoji counts once.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (isJoiner(code)) {
      c.other++;
    } else if (code >= 0x2000 && code <= 0x206f) {
      c.punct++;
      enter(PUNCT);
    } else if (isCjk(code) || (code >= 0x20000 && code <= 0x3ffff)) {
      c.cjk++;
      end(); // each ideograph is its own unit; they do not extend words
    } else if (isBmpSymbol(code) || (code >= 0x1f000 && code <= 0x1faff) || (code >= 0xe0020 && code <= 0xe007f)) {
      c.emoji++;
      end();
    } else {
      c.other++;
      enter(WORD);
    }
  }
  end();
  return c;
}
