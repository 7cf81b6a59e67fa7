/** One sample of Prometheus text format: `name{label="v",…} value`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of the named families (histograms: their `_bucket`, `_sum`, `_count`). */
export function parseSamples(text: string, families: readonly string[]): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    if (raw.startsWith('#')) continue;
    const match = line.exec(raw);
    if (!match) continue;
    const name = match[1]!;
    if (!families.some((family) => name === family || name.startsWith(`${family}_`))) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(label)) labels[key!] = value!;
    const value = Number(match[3]);
    if (!Number.isNaN(value)) samples.push({ name, labels, value });
  }
  return samples;
}
