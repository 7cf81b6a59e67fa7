/**
 * The development overlay, rendered by `kubectl kustomize`, run on the Docker
 * engine as a kubelet would run it (./pods.ts): every Deployment's and
 * StatefulSet's replicas with the pod's security context and environment,
 * traffic gated on readiness through an emulated Service. Then the gateway is
 * rolled under steady load (zero failed requests), and one of its two pods is
 * killed while the other keeps serving. Skipped where no Docker engine or images.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { keys } from '../client.js';
import { renderOverlay, type PodTemplate } from './manifests.js';
import { Cluster, docker, type Pod } from './pods.js';
import { EmulatedService, steadyLoad } from './service.js';

// The port base of this suite's emulated gateway Service (127.0.0.1 only).
const servicePort = Number(process.env.E2E_K8S_PORT ?? 4100);
const templates = renderOverlay('development');
const gatewayTemplate = templates.find((template) => template.workload === 'gateway')!;
const images = [...new Set(templates.map((template) => template.image))];
const missing = spawnSync('docker', ['image', 'inspect', ...images], { stdio: 'ignore' }).status !== 0;
const skip = missing ? `no Docker engine or images (${images.join(', ')}): npm run images` : false;

const cluster = new Cluster(String(process.pid));
const gateway = new EmulatedService(cluster);
const running = new Map<string, Pod[]>();
const load = () => steadyLoad(`http://127.0.0.1:${servicePort}/v1/products`, { 'x-api-key': keys.client1 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cleanUp = () => cluster.removeAll();

async function startReplicas(template: PodTemplate): Promise<void> {
  const pods = await Promise.all(Array.from({ length: template.replicas }, () => cluster.start(template)));
  running.set(template.workload, pods);
  const waited = await Promise.all(pods.map((pod) => cluster.waitReady(pod, 240_000)));
  console.log(`k8s: ${template.kind}/${template.workload} ${pods.length} replica(s) ready in ${Math.max(...waited)} ms`);
}

describe('the development overlay on real containers', { skip }, () => {
  before(async () => {
    // Every path removes what this run started: normal end, failure (after), exit and signals.
    process.once('exit', cleanUp);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        cleanUp();
        process.exit(signal === 'SIGINT' ? 130 : 143);
      });
    }
    await cluster.createNetwork();
    try {
      // Data stores first (the services' readiness needs them), then every service Deployment.
      const isService = (template: PodTemplate) => template.image.startsWith('shopfront/');
      await Promise.all(templates.filter((template) => !isService(template)).map(startReplicas));
      await Promise.all(templates.filter(isService).map(startReplicas));
      await gateway.listen(servicePort);
      for (const pod of running.get('gateway')!) gateway.add(pod);
    } catch (error) {
      cleanUp();
      throw error;
    }
  });
  after(async () => {
    await gateway.close();
    cleanUp();
  });

  it("given the rendered pod template, then each container runs with the pod's user, read-only root, no capabilities and its memory limit", async () => {
    const [pod] = running.get('gateway')!;
    const inspected = JSON.parse(await docker('inspect', pod!.name))[0] as { Config: { User: string }; HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[]; SecurityOpt: string[]; Memory: number } };
    assert.equal(inspected.Config.User, '10001:10001');
    assert.equal(inspected.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(inspected.HostConfig.CapDrop, ['ALL']);
    assert.ok(inspected.HostConfig.SecurityOpt.includes('no-new-privileges'));
    assert.equal(inspected.HostConfig.Memory, 384 * 1024 * 1024);
    assert.equal(await docker('exec', pod!.name, 'id', '-u'), '10001');
    await assert.rejects(docker('exec', pod!.name, 'touch', '/app/written'), 'the root filesystem is read-only');
    await docker('exec', pod!.name, 'touch', '/tmp/written');
    assert.equal(gatewayTemplate.replicas, 2);
    assert.equal(gateway.ready.length, 2);
  });

  it('given steady load, when the gateway is rolled (maxSurge 1, maxUnavailable 0), then no request fails', async () => {
    const traffic = load();
    await sleep(2_000);
    const old = running.get('gateway')!;
    const rolled: Pod[] = [];
    for (const pod of old) {
      const fresh = await cluster.start(gatewayTemplate);
      const readyIn = await cluster.waitReady(fresh, 240_000);
      gateway.add(fresh);
      rolled.push(fresh);
      // Deleting the old pod: out of the endpoints at once, then preStop, SIGTERM, grace period.
      gateway.remove(pod);
      const { exitedAfterMs } = await cluster.terminate(pod);
      console.log(`k8s: rolled ${pod.name} -> ${fresh.name} (ready in ${readyIn} ms; old pod exited ${exitedAfterMs} ms after deletion)`);
    }
    running.set('gateway', rolled);
    await sleep(2_000);
    const report = await traffic.stop();
    console.log(`k8s: rolling update under load: ${report.sent} requests sent, ${report.failed} failed, longest wait ${report.longestMs} ms`);
    assert.ok(report.sent > 100, `steady load sent ${report.sent}`);
    assert.equal(report.failed, 0, report.failures.join('\n'));
  });

  it('given two gateway pods, when one is killed, then the other keeps serving', async () => {
    const traffic = load();
    await sleep(1_000);
    const [victim, survivor] = running.get('gateway')!;
    const killedAt = Date.now();
    const atKill = { ...traffic.report };
    await cluster.kill(victim!);
    const leftEndpointsAfterMs = Date.now() - killedAt;
    const atRemoval = { ...traffic.report };
    // 50 requests after the removal, however slow the machine (at most 30 s): all of them the survivor's.
    for (const until = Date.now() + 30_000; traffic.report.sent - atRemoval.sent < 50 && Date.now() < until; ) await sleep(100);
    const report = await traffic.stop();
    const inWindow = atRemoval.sent - atKill.sent;
    console.log(
      `k8s: killed ${victim!.name}: out of the endpoints after ${leftEndpointsAfterMs} ms (${inWindow} requests sent meanwhile); ${report.sent} requests sent, ${report.failed} failed (${atRemoval.failed - atKill.failed} before removal), longest wait ${report.longestMs} ms`,
    );
    assert.deepEqual(gateway.ready, [survivor!.name]);
    assert.equal(atKill.failed, 0, report.failures.join('\n'));
    // Until the dead pod leaves the endpoints, kube-proxy still sends it its round-robin share, as a real one
    // does: those and the two in flight at the kill may fail, never the survivor's share, and none after removal.
    assert.ok(atRemoval.failed <= Math.ceil(inWindow / 2) + 2, report.failures.join('\n'));
    assert.equal(report.failed, atRemoval.failed, report.failures.join('\n'));
    assert.ok(report.sent - atRemoval.sent >= 50, `${report.sent - atRemoval.sent} requests after the removal`);
  });
});
