/**
 * The text tests of the heuristic, written to behave like the origin's Python regular
 * expressions: keywords are case-insensitive substrings ("add" matches "address"), each keyword
 * counts once, and `\w`, `\d`, `\s` and `\b` mean what they mean in Python 3 (Unicode-aware),
 * which plain JavaScript classes are not (JS `\w` and `\d` are ASCII-only).
 */

/** Python's `\w` for str patterns: letters, numbers and the underscore. */
const WORD = '[\\p{L}\\p{N}_]';
/** Python's `\s` for str patterns (str.isspace): JS `\s` minus U+FEFF, plus U+001C..U+001F and U+0085. */
const SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';

/** The list-item patterns `\d+\.`, `-\s+\w` and `\*\s+\w`, counted separately and summed. */
const LIST_ITEM_PATTERNS = [
  new RegExp('\\p{Nd}+\\.', 'gu'),
  new RegExp(`-${SPACE}+${WORD}`, 'gu'),
  new RegExp(`\\*${SPACE}+${WORD}`, 'gu'),
];

/** How many distinct keywords of the list occur in `lowerText` (already lower-cased). */
export function countKeywordsPresent(lowerText: string, keywords: readonly string[]): number {
  let found = 0;
  for (const keyword of new Set(keywords.map((k) => k.toLowerCase()))) {
    if (lowerText.includes(keyword)) found++;
  }
  return found;
}

export function anyKeywordPresent(lowerText: string, keywords: readonly string[]): boolean {
  return keywords.some((keyword) => lowerText.includes(keyword.toLowerCase()));
}

function escapeRegExp(text: string): string {
  // Only syntax characters: with the `u` flag an escaped "-" outside a class is an error.
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const fileNamePatterns = new Map<string, RegExp>();

/**
 * Number of matches of `\b\w+\.(py|js|…)\b` in `lowerText`, every occurrence counted (as
 * Python's `len(re.findall(...))`). The word boundaries become look-arounds on the Unicode word
 * class: a match starts where a word starts and the extension must end a word ("x.tsx" is none).
 */
export function countFileNames(lowerText: string, extensions: readonly string[]): number {
  const key = extensions.join('\u0000');
  let pattern = fileNamePatterns.get(key);
  if (!pattern) {
    const alternatives = extensions.map((e) => escapeRegExp(e.toLowerCase())).join('|');
    pattern = new RegExp(`(?<!${WORD})${WORD}+\\.(?:${alternatives})(?!${WORD})`, 'gu');
    fileNamePatterns.set(key, pattern);
  }
  return countMatches(lowerText, pattern);
}

/** List items in the original (not lower-cased) text: numbered, dashed and starred. */
export function countListItems(text: string): number {
  return LIST_ITEM_PATTERNS.reduce((sum, pattern) => sum + countMatches(text, pattern), 0);
}

function countMatches(text: string, pattern: RegExp): number {
  let n = 0;
  for (const _ of text.matchAll(pattern)) n++;
  return n;
}

/** Length in code points, as Python's len(str) (JS .length counts UTF-16 units). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
