/** Scrapes GET /metrics and reads samples by name and labels (Prometheus text format). */
export async function scrape(port: number): Promise<Samples> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return new Samples(await res.text());
}

export class Samples {
  private readonly lines: { name: string; labels: Record<string, string>; value: number }[] = [];

  constructor(readonly text: string) {
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
      if (!m) continue;
      const labels: Record<string, string> = {};
      for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
      this.lines.push({ name: m[1]!, labels, value: Number(m[3]) });
    }
  }

  /** The value of the sample with this name whose labels include `labels`; undefined if none. */
  get(name: string, labels: Record<string, string> = {}): number | undefined {
    const found = this.lines.filter((l) => l.name === name && Object.entries(labels).every(([k, v]) => l.labels[k] === v));
    if (found.length === 0) return undefined;
    return found.reduce((sum, l) => sum + l.value, 0);
  }

  labelValues(name: string, label: string): string[] {
    return [...new Set(this.lines.filter((l) => l.name === name && label in l.labels).map((l) => l.labels[label]!))];
  }
}
