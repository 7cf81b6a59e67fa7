import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GoldenMessage {
  type: string;
  version: number;
  file: string;
  envelope: Record<string, unknown> & { data: unknown };
}

/**
 * The frozen example of every published version (src/golden/<Type>.v<N>.json). Written once, when
 * the version is published, and never regenerated: they are the bytes an old producer really sent.
 * Only tests and the compatibility check read them (node:fs keeps this module out of the index).
 */
export function goldenMessages(folder = join(import.meta.dirname, 'golden')): GoldenMessage[] {
  return readdirSync(folder)
    .filter((file) => /^\w+\.v\d+\.json$/.test(file))
    .sort()
    .map((file) => {
      const [, type, version] = /^(\w+)\.v(\d+)\.json$/.exec(file)!;
      return { type: type!, version: Number(version), file: join(folder, file), envelope: JSON.parse(readFileSync(join(folder, file), 'utf8')) };
    });
}
