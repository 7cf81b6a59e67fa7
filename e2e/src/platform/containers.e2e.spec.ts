/**
 * The container platform itself: infrastructure and one service on a network
 * of their own, the service ready through its published port, and a kill and
 * restart that the chaos drills rely on. Skipped where no Docker engine answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dockerAnswers, startContainerPlatform } from './containers.js';
import type { RunningPlatform } from './types.js';

const docker = await dockerAnswers();
let platform: RunningPlatform | undefined;

async function ready(url: string): Promise<number | string> {
  try {
    return (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) })).status;
  } catch (error) {
    return (error as Error).name;
  }
}

describe('the container platform', { skip: docker ? false : 'no Docker engine or images (npm run images)' }, () => {
  before(async () => {
    const started = Date.now();
    platform = await startContainerPlatform({ services: ['shipping'] });
    console.log(`postgres, redis, kafka and shipping ready in ${Date.now() - started} ms`);
  });
  after(() => platform?.stop());

  it('given Postgres, Redis and Kafka containers, when the shipping image starts beside them, then it is ready on its published port', async () => {
    assert.equal(platform!.mode, 'testcontainers');
    assert.equal(await ready(platform!.serviceUrl('shipping')), 200);
  });

  it('given a running service, when it is killed, then it stops answering until restarted at the same URL', async () => {
    const url = platform!.serviceUrl('shipping');
    await platform!.kill('shipping');
    assert.notEqual(await ready(url), 200);
    const started = Date.now();
    await platform!.restart('shipping');
    console.log(`shipping ready again ${Date.now() - started} ms after restart`);
    assert.equal(platform!.serviceUrl('shipping'), url);
    assert.equal(await ready(url), 200);
  });
});
