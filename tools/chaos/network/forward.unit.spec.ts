import assert from 'node:assert/strict';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { Forwarder } from './forward.ts';

const servers: Server[] = [];
const forwarders: Forwarder[] = [];
afterEach(async () => {
  await Promise.all(forwarders.splice(0).map((forwarder) => forwarder.close()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listening(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A free port: listened on, then let go. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function forwarderTo(targetPort: number, link = 'kafka'): Promise<{ forwarder: Forwarder; port: number }> {
  const forwarder = new Forwarder();
  forwarders.push(forwarder);
  const port = await freePort();
  await forwarder.open({ link, listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: targetPort } });
  return { forwarder, port };
}

const echo = () => listening(createServer((socket) => socket.pipe(socket)));

function received(socket: Socket, bytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (text.length >= bytes) resolve(text);
    });
    socket.on('error', reject);
  });
}

describe('Forwarder', () => {
  it('given no delay, when a client writes, then the bytes reach the target and its answer comes back', async () => {
    const { port } = await forwarderTo(await echo());
    const client = connect(port, '127.0.0.1');
    const answer = received(client, 5);
    client.write('hello');
    assert.equal(await answer, 'hello');
    client.destroy();
  });

  it('given a delay on the link, when a client writes, then the round trip takes both ways of it', async () => {
    const { forwarder, port } = await forwarderTo(await echo());
    forwarder.setDelay('kafka', { ms: 60, jitterMs: 0 });
    const client = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    const started = Date.now();
    const answer = received(client, 4);
    client.write('ping');
    assert.equal(await answer, 'ping');
    assert.ok(Date.now() - started >= 115, `round trip ${Date.now() - started} ms`);
    assert.ok(forwarder.takeDelayed() >= 2, 'both directions counted as delayed');
    assert.equal(forwarder.takeDelayed(), 0, 'the count starts again after it is taken');
    client.destroy();
  });

  it('given jitter larger than the gap between writes, when many chunks cross, then they arrive in the order sent', async () => {
    const { forwarder, port } = await forwarderTo(await echo());
    forwarder.setDelay('kafka', { ms: 20, jitterMs: 20 });
    const client = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    const sent = Array.from({ length: 40 }, (_, index) => `<${index}>`);
    const answer = received(client, sent.join('').length);
    for (const part of sent) {
      client.write(part);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.equal(await answer, sent.join(''));
    client.destroy();
  });

  it('given a delay on another link, when a client writes, then its bytes are not held back', async () => {
    const { forwarder, port } = await forwarderTo(await echo(), 'postgres');
    forwarder.setDelay('kafka', { ms: 500, jitterMs: 0 });
    const client = connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    const started = Date.now();
    const answer = received(client, 2);
    client.write('ok');
    await answer;
    assert.ok(Date.now() - started < 400, `round trip ${Date.now() - started} ms`);
    assert.equal(forwarder.takeDelayed(), 0);
    client.destroy();
  });

  it('given a listener closed, when a process binds the same port, then it can', async () => {
    const target = await echo();
    const { forwarder, port } = await forwarderTo(target);
    await forwarder.closeListener({ host: '127.0.0.1', port });
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(port, '127.0.0.1', resolve);
    });
    servers.push(again);
  });

  it('given the target refuses, when a client connects, then the client is closed rather than left hanging', async () => {
    const { port } = await forwarderTo(await freePort());
    const client = connect(port, '127.0.0.1');
    client.on('error', () => undefined);
    await new Promise((resolve) => client.once('close', resolve));
  });
});
