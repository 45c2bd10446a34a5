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

/**
 * Keyword lists compiled once: lower-cased and without repeats, cached per list (the weights
 * are frozen objects, so one list is one array for the life of the process). Lower-casing and
 * de-duplicating every list on every estimate was a measurable part of task creation.
 */
const compiledKeywords = new WeakMap<readonly string[], readonly string[]>();

function compiled(keywords: readonly string[]): readonly string[] {
  let list = compiledKeywords.get(keywords);
  if (!list) compiledKeywords.set(keywords, (list = [...new Set(keywords.map((k) => k.toLowerCase()))]));
  return list;
}

/** How many distinct keywords of the list occur in `lowerText` (already lower-cased). */
export function countKeywordsPresent(lowerText: string, keywords: readonly string[]): number {
  let found = 0;
  for (const keyword of compiled(keywords)) if (lowerText.includes(keyword)) found++;
  return found;
}

export function anyKeywordPresent(lowerText: string, keywords: readonly string[]): boolean {
  for (const keyword of compiled(keywords)) if (lowerText.includes(keyword)) return true;
  return false;
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
  // Every match contains a "."; most titles have none, and the Unicode look-around pattern is
  // the estimator's most expensive step.
  if (!lowerText.includes('.')) return 0;
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
  // Each pattern needs its literal character ("." / "-" / "*"): skip the ones that cannot match.
  let sum = 0;
  for (let i = 0; i < LIST_ITEM_PATTERNS.length; i++) if (text.includes(LIST_ITEM_MARKS[i]!)) sum += countMatches(text, LIST_ITEM_PATTERNS[i]!);
  return sum;
}

const LIST_ITEM_MARKS = ['.', '-', '*'];

function countMatches(text: string, pattern: RegExp): number {
  let n = 0;
  for (const _ of text.matchAll(pattern)) n++;
  return n;
}

/** Length in code points, as Python's len(str) (JS .length counts UTF-16 units). */
export function codePointLength(text: string): number {
  // UTF-16 units minus the second half of each surrogate pair (what the string iterator joins).
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
