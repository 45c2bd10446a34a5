import type { Spread } from './stats';

/** Plain-text tables for the terminal (and /tmp logs): left-aligned text, right-aligned numbers. */
export function table(title: string, headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => cells.length > 0 && cells.every((r) => /^[-+]?[\d.,]+(\s|x|%|$)/.test(r[i] ?? '') || r[i] === '-'));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [`\n== ${title} ==`, line(headers), rule, ...cells.map(line)].join('\n');
}

export function num(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '-';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ms(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)} ms` : '-';
}

/** "1,234 (1,200-1,250)": the median of the runs with their range. */
export function withSpread(s: Spread, format: (n: number) => string = (n) => num(n)): string {
  if (s.runs.length <= 1) return format(s.median);
  return `${format(s.median)} (${format(s.min)}-${format(s.max)})`;
}

export function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

/** Progress lines go to stderr so stdout holds only the figures. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
