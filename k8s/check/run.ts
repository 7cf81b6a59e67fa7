/**
 * `npm run k8s:check`: renders every overlay with the machine's kubectl and
 * checks what a cluster would receive (see k8s/README.md for the list of checks).
 * Exit 1 on any finding.
 */
import { join } from 'node:path';
import { checkChaos, checkDirectory, k8sRoot, overlays } from './check.ts';
import { render } from './render.ts';
import type { Finding } from './rules.ts';

const started = Date.now();
let failed = 0;
const report = (label: string, count: number, findings: Finding[]) => {
  console.log(`k8s:check ${label.padEnd(12)} ${count} objects, ${findings.length === 0 ? 'ok' : `${findings.length} finding(s)`}`);
  for (const entry of findings) console.log(`  ✗ [${entry.rule}] ${entry.object}: ${entry.message}`);
  failed += findings.length;
};

try {
  let development: ReturnType<typeof checkDirectory> | undefined;
  for (const [name, expectations] of Object.entries(overlays)) {
    const result = checkDirectory(join(k8sRoot, 'overlays', name), expectations, name);
    if (name === 'development') development = result;
    report(name, result.objects.length, result.findings);
  }
  const experiments = render(join(k8sRoot, 'chaos'));
  report('chaos', experiments.length, checkChaos(experiments, development!.objects, overlays.development.namespace));
} catch (error) {
  console.error(`k8s:check: ${(error as Error).message}`);
  process.exit(2);
}
console.log(`k8s:check ${failed === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed === 0 ? 0 : 1);
