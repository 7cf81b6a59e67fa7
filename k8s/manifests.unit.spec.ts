/**
 * The Kubernetes manifests as a cluster would receive them: each overlay
 * rendered by the machine's `kubectl kustomize` passes every k8s:check rule,
 * every deliberately broken fixture (k8s/check/broken/<overlay>--<rule>--<what>)
 * fails on the rule it names, and the rendered objects agree with the code
 * (images, ports, probe paths, upstream URLs).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { serviceTag } from '../infra/images/tags.ts';
import { defaultPorts, serviceNames } from '../tools/runner/services.ts';
import { checkChaos, checkDirectory, k8sRoot, overlays } from './check/check.ts';
import type { Workload } from './check/objects.ts';
import { render, type K8sObject } from './check/render.ts';

const rendered = {
  development: checkDirectory(join(k8sRoot, 'overlays/development'), overlays.development, 'spec-development'),
  production: checkDirectory(join(k8sRoot, 'overlays/production'), overlays.production, 'spec-production'),
};
const find = (objects: K8sObject[], kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata.name === name);
const brokenRoot = join(k8sRoot, 'check/broken');
const fixtures = readdirSync(brokenRoot).sort();

describe('the rendered Kubernetes manifests', () => {
  for (const [name, result] of Object.entries(rendered)) {
    it(`given the ${name} overlay, when rendered, then k8s:check finds nothing`, () => {
      assert.deepEqual(result.findings, []);
    });
  }

  it('given the chaos experiments, when rendered, then each is well-formed and selects pods of the development overlay', () => {
    const experiments = render(join(k8sRoot, 'chaos'));
    assert.ok(experiments.length >= 7);
    assert.deepEqual(new Set(experiments.map((experiment) => experiment.kind)), new Set(['PodChaos', 'NetworkChaos', 'StressChaos']));
    assert.deepEqual(checkChaos(experiments, rendered.development.objects, 'shopfront'), []);
  });

  for (const service of serviceNames) {
    it(`given ${service}, then both overlays run its image on the contract's port, probed on /health`, () => {
      for (const [name, { objects }] of Object.entries(rendered)) {
        const deployment = find(objects, 'Deployment', service) as Workload | undefined;
        assert.ok(deployment, `${name}: a Deployment named ${service}`);
        const [container] = deployment.spec.template.spec.containers;
        assert.match(container!.image, new RegExp(`(^|/)${serviceTag(service).replace(':dev', '')}:`));
        if (name === 'development') assert.equal(container!.image, serviceTag(service));
        assert.deepEqual(container!.ports!.map((port) => port.containerPort), [defaultPorts[service]]);
        assert.equal(container!.readinessProbe?.httpGet?.path, '/health/ready');
        assert.ok(find(objects, 'HorizontalPodAutoscaler', service), `${name}: an HPA for ${service}`);
        assert.ok(find(objects, 'PodDisruptionBudget', service), `${name}: a PDB for ${service}`);
      }
    });
  }

  it('given the gateway, then its upstream URLs name each Service on its contract port', () => {
    const upstreams = (find(rendered.development.objects, 'ConfigMap', 'gateway-upstreams') as { data: Record<string, string> } | undefined)!.data;
    for (const service of serviceNames.filter((name) => name !== 'gateway')) assert.equal(upstreams[`${service.toUpperCase()}_URL`], `http://${service}:${defaultPorts[service]}`);
  });

  it('given the overlays, then development turns fault injection on and production keeps it off', () => {
    const chaos = (objects: K8sObject[]) => (find(objects, 'ConfigMap', 'shopfront-config') as { data: Record<string, string> } | undefined)!.data.CHAOS_ENABLED;
    assert.equal(chaos(rendered.development.objects), 'true');
    assert.equal(chaos(rendered.production.objects), 'false');
  });
});

describe('the broken manifests (k8s/check/broken)', () => {
  it('given the fixture folder, then it covers schema, strict, cross-reference, pod and production rules', () => {
    const rules = new Set(fixtures.map((fixture) => fixture.split('--')[1]));
    for (const rule of ['schema', 'strict', 'service-selects', 'pdb-selects', 'hpa-target', 'netpol-selects', 'config-refs', 'env-read', 'production-chaos', 'production-replicas', 'production-secrets']) assert.ok(rules.has(rule), rule);
  });

  for (const fixture of fixtures) {
    const [target, rule] = fixture.split('--') as [string, string];
    it(`given ${fixture}, when checked, then it fails on ${rule}`, () => {
      const directory = join(brokenRoot, fixture);
      const findings =
        target === 'chaos'
          ? checkChaos(render(directory), rendered.development.objects, 'shopfront')
          : checkDirectory(directory, overlays[target as keyof typeof overlays], `spec-${fixture}`).findings;
      assert.ok(findings.some((finding) => finding.rule === rule), `expected a ${rule} finding, got ${JSON.stringify(findings)}`);
    });
  }

  it('given no kubectl, when k8s:check runs, then it fails and says so', () => {
    const result = spawnSync(process.execPath, [join(k8sRoot, 'check/run.ts')], { encoding: 'utf8', env: { ...process.env, KUBECTL: '/nonexistent/kubectl' } });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /found no \/nonexistent\/kubectl/);
  });
});
