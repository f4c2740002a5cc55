/**
 * "Did you mean …?" for mistyped model ids (and slash commands): candidates ranked by edit distance on the whole id
 * and on the part after the author (`gpt-4o-mnii` → `openai/gpt-4o-mini`), with prefix and substring matches ranked
 * just behind exact slugs (`claude-sonnet` → `anthropic/claude-sonnet-4.5`). Distant names are never suggested, so
 * a hint is a likely fix, not noise. Ties keep the candidates' order (the catalog lists the most popular first).
 */

/** Up to `limit` candidates close to `input`, best first; empty when nothing is close. */
export function rankSuggestions(input: string, candidates: readonly string[], limit = 3): string[] {
  const word = input.trim().toLowerCase();
  if (word === '') return [];
  const slug = slugOf(word);
  const author = authorOf(word);
  const allowed = Math.max(1, Math.min(4, Math.floor(slug.length / 3)));
  const scored: { candidate: string; score: number; index: number }[] = [];
  candidates.forEach((candidate, index) => {
    const lower = candidate.toLowerCase();
    if (lower === word) return;
    const candidateSlug = slugOf(lower);
    // A wrong author costs a little on top of the slug distance; no author typed costs nothing.
    const authorPenalty = author !== undefined && author !== authorOf(lower) ? 1 : 0;
    let score = Math.min(editDistance(word, lower), editDistance(slug, candidateSlug) + authorPenalty);
    if (slug.length >= 3) {
      if (candidateSlug.startsWith(slug) || lower.startsWith(word)) {
        score = Math.min(score, 0.5 + authorPenalty + (candidateSlug.length - slug.length) / 1000);
      } else if (lower.includes(slug)) {
        score = Math.min(score, 1.5 + authorPenalty);
      }
    }
    if (score <= allowed) scored.push({ candidate, score, index });
  });
  scored.sort((a, b) => a.score - b.score || a.index - b.index);
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** ` Did you mean a, b or c?` (with a leading space), or an empty string when nothing is close. */
export function didYouMeanText(input: string, candidates: readonly string[], limit = 3): string {
  const hits = rankSuggestions(input, candidates, limit);
  if (hits.length === 0) return '';
  const list = hits.length === 1 ? hits[0] : `${hits.slice(0, -1).join(', ')} or ${hits[hits.length - 1]}`;
  return ` Did you mean ${list}?`;
}

/** `openai/gpt-4o-mini` → `gpt-4o-mini`; variants (`:free`) stay, they are part of what was typed. */
function slugOf(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1);
}

function authorOf(id: string): string | undefined {
  const slash = id.indexOf('/');
  return slash < 0 ? undefined : id.slice(0, slash);
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`mnii` → `mini` is one edit). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}
