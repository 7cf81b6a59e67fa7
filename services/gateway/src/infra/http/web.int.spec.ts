/**
 * The web app as the gateway serves it (issue 20): every page and asset with a
 * Content-Security-Policy that allows this origin only, pages revalidated,
 * hashed assets cached for good, nothing outside the built folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestDatabase } from '@shopfront/testing';
import { call, gatewayDatabase, startGateway, testRedisPrefix, type RunningGateway } from '../../test/gateway-fixture.js';
import { StubUpstream } from '../../test/stub-upstream.js';

let db: TestDatabase;
let stub: StubUpstream;
let gateway: RunningGateway;
const webRoot = mkdtempSync(join(tmpdir(), 'shopfront-web-'));

before(async () => {
  mkdirSync(join(webRoot, 'console'));
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>storefront</title>');
  writeFileSync(join(webRoot, 'console/index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(webRoot, 'assets/storefront-AbC123.js'), 'console.log(1)');
  writeFileSync(join(webRoot, 'secret.txt'), 'not an asset');
  stub = new StubUpstream();
  const upstreamUrl = await stub.start();
  db = await gatewayDatabase('web');
  gateway = await startGateway({ databaseUrl: db.url, upstreamUrl, redisPrefix: testRedisPrefix('web'), env: { WEB_ROOT: webRoot } });
});
after(async () => {
  await gateway?.stop();
  await stub?.stop();
  await db?.drop();
  rmSync(webRoot, { recursive: true, force: true });
});

/** Each directive of the policy, by name. */
function policyOf(headers: Headers): Map<string, string> {
  const policy = headers.get('content-security-policy') ?? '';
  return new Map(policy.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name!, values.join(' ')]));
}

describe('the web app at the gateway', () => {
  it('serves the storefront, the order page and the console pages with a same-origin CSP, revalidated on every load', async () => {
    const pages = { '/': 'storefront', '/orders/0b7e6a52-6f7c-4a36-9b57-d1cf8d1f3f43': 'storefront', '/console/': 'console', '/console/orders/0b7e6a52-6f7c-4a36-9b57-d1cf8d1f3f43': 'console', '/console/dead-letters': 'console' };
    for (const [path, title] of Object.entries(pages)) {
      const answer = await call<string>(gateway.url, 'GET', path, { key: null });
      assert.equal(answer.status, 200, path);
      assert.match(answer.headers.get('content-type') ?? '', /^text\/html/, path);
      assert.match(answer.body, new RegExp(`<title>${title}</title>`), path);
      assert.equal(answer.headers.get('cache-control'), 'no-cache', path);
      const policy = policyOf(answer.headers);
      assert.equal(policy.get('default-src'), "'self'", path);
      assert.equal(policy.get('script-src'), "'self'", `${path}: scripts only from this origin, none inline`);
      assert.equal(policy.get('connect-src'), "'self'", `${path}: API calls and the event stream only to this origin`);
      assert.equal(policy.get('frame-ancestors'), "'none'", path);
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', path);
    }
  });

  it('serves hashed assets as immutable for a year, and nothing that is not a built asset', async () => {
    const asset = await call<string>(gateway.url, 'GET', '/assets/storefront-AbC123.js', { key: null });
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /^application\/javascript/);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(policyOf(asset.headers).get('default-src'), "'self'");
    for (const path of ['/assets/missing-X1.js', '/assets/..%2Fsecret.txt', '/assets/secret.txt', '/secret.txt']) {
      const answer = await call(gateway.url, 'GET', path, { key: null });
      assert.equal(answer.status, 404, path);
      assert.doesNotMatch(JSON.stringify(answer.body), /not an asset/, path);
    }
  });

  it('tells the pages the development key to prefill, never cached', async () => {
    const config = await call<{ defaultApiKey: string }>(gateway.url, 'GET', '/web-config.json', { key: null });
    assert.equal(config.status, 200);
    assert.equal(config.body.defaultApiKey, 'dev-key-1');
    assert.equal(config.headers.get('cache-control'), 'no-store');
  });
});
