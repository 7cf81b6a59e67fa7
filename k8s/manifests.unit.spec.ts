/**
 * The Kubernetes manifests against what the code and the contract say: no
 * cluster here, so these are read as data and checked for the drift that
 * breaks a deploy silently (a port, a probe path, an image name, the
 * production overlay leaving fault injection on).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { serviceTag } from '../infra/images/tags.ts';
import { defaultSettings, serviceNames } from '../tools/runner/services.ts';

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface Container {
  name: string;
  image: string;
  ports: { name: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  readinessProbe?: { httpGet?: { path: string; port: string } };
  livenessProbe?: { httpGet?: { path: string; port: string } };
  securityContext?: { allowPrivilegeEscalation?: boolean };
}

const read = (path: string): Manifest[] =>
  parseAllDocuments(readFileSync(new URL(path, import.meta.url), 'utf8')).map((document) => document.toJS() as Manifest).filter(Boolean);
const base = (read('base/kustomization.yaml')[0] as unknown as { resources: string[] }).resources.flatMap((file) => read(`base/${file}`));
const find = (kind: string, name: string) => base.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
const contractPorts = defaultSettings({}).ports;

/** The JSON-patch operations an overlay applies to the config map. */
function configPatches(overlay: string): Record<string, string> {
  const kustomization = read(`overlays/${overlay}/kustomization.yaml`)[0] as unknown as { patches: { target: { kind: string }; patch: string }[] };
  const patch = kustomization.patches.find((entry) => entry.target.kind === 'ConfigMap')?.patch ?? '[]';
  const operations = parseAllDocuments(patch)[0]!.toJS() as { op: string; path: string; value: string }[];
  return Object.fromEntries(operations.filter((operation) => operation.op === 'replace').map((operation) => [operation.path.replace('/data/', ''), operation.value]));
}

describe('the Kubernetes manifests', () => {
  for (const service of serviceNames) {
    it(`given ${service}, then its Deployment runs the image npm run images builds, on the contract's port, probed on /health`, () => {
      const deployment = find('Deployment', service);
      assert.ok(deployment, `a Deployment named ${service}`);
      const template = deployment.spec!.template as { metadata: { labels: Record<string, string> }; spec: { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } } };
      const [container] = template.spec.containers;
      assert.equal(container?.image, serviceTag(service));
      assert.deepEqual(container?.ports.map((port) => port.containerPort), [contractPorts[service]]);
      assert.equal(container?.env?.find((variable) => variable.name === `${service.toUpperCase()}_PORT`)?.value, String(contractPorts[service]));
      assert.equal(container?.readinessProbe?.httpGet?.path, '/health/ready');
      assert.equal(container?.livenessProbe?.httpGet?.path, '/health/live');
      assert.equal(template.spec.securityContext?.runAsNonRoot, true);
      assert.equal(container?.securityContext?.allowPrivilegeEscalation, false);

      const serviceManifest = find('Service', service);
      assert.ok(serviceManifest, `a Service named ${service}`);
      const selector = serviceManifest.spec!.selector as Record<string, string>;
      for (const [label, value] of Object.entries(selector)) assert.equal(template.metadata.labels[label], value, `the Service selects the pods by ${label}`);
      assert.deepEqual((serviceManifest.spec!.ports as { port: number }[]).map((port) => port.port), [contractPorts[service]]);
    });
  }

  it('given the shared config map, then every upstream URL names a Service on its contract port', () => {
    const config = find('ConfigMap', 'shopfront-config')!.data!;
    for (const service of serviceNames.filter((name) => name !== 'gateway')) {
      assert.equal(config[`${service.toUpperCase()}_URL`], `http://${service}:${contractPorts[service]}`);
    }
  });

  it('given the overlays, then production turns fault injection off and development turns it on', () => {
    assert.equal(configPatches('production').CHAOS_ENABLED, 'false');
    assert.equal(configPatches('development').CHAOS_ENABLED, 'true');
  });
});
