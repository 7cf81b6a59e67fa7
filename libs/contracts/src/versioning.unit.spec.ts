import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goldenMessages } from './golden.js';
import { ContractError, currentVersion, messageCatalog, parseMessage, readableBy, retiredCard, retiredCardToken, type MessageType } from './index.js';

const golden = goldenMessages();
const goldenOf = (type: string, version: number) => golden.find((entry) => entry.type === type && entry.version === version)!.envelope;
const codeOf = (run: () => unknown) => {
  try {
    run();
    return 'accepted';
  } catch (error) {
    return (error as ContractError).code;
  }
};

describe('every published version', () => {
  it('given the catalog, when its golden messages are listed, then every version of every type has one and nothing else does', () => {
    const expected = Object.entries(messageCatalog).flatMap(([type, spec]) => spec.history.versions.map((_, index) => `${type}.v${index + 1}`));
    assert.deepEqual(golden.map((entry) => `${entry.type}.v${entry.version}`).sort(), expected.sort());
  });

  it('given each golden message, when consumed today, then it is accepted at the current version', () => {
    for (const { type, envelope } of golden) {
      const parsed = parseMessage(JSON.stringify(envelope));
      assert.equal(parsed.schemaVersion, currentVersion(messageCatalog[type as MessageType]), type);
    }
  });

  it('given a current golden message, when it crosses the wire, then the consumer reads exactly what was sent', () => {
    for (const [type, spec] of Object.entries(messageCatalog)) {
      const envelope = goldenOf(type, currentVersion(spec));
      assert.deepEqual(parseMessage(Buffer.from(JSON.stringify(envelope))), envelope);
    }
  });
});

describe('OrderPlaced v1 and v2 on the wire (producers behind)', () => {
  it('given the v1 golden, when consumed, then the consumer gets v3 with Money per line, the total, an unknown client and the retired card', () => {
    const parsed = parseMessage(JSON.stringify(goldenOf('OrderPlaced', 1)));
    const today = goldenOf('OrderPlaced', 3);
    assert.equal(parsed.schemaVersion, 3);
    assert.deepEqual(parsed.data, { ...(today.data as object), clientId: 'unknown', payment: retiredCard('4242424242424242') });
  });

  it('given the v2 golden, when consumed, then its card number becomes the retired token with last four and brand, and no number is left', () => {
    const parsed = parseMessage(JSON.stringify(goldenOf('OrderPlaced', 2)));
    assert.equal(parsed.schemaVersion, 3);
    assert.deepEqual(parsed.data, { ...(goldenOf('OrderPlaced', 3).data as object), payment: { token: retiredCardToken, last4: '4242', brand: 'visa' } });
    assert.doesNotMatch(JSON.stringify(parsed), /4242424242424242/);
  });

  it('given AuthorizePayment v1 (an orchestrator behind), when consumed, then the card is the retired token, which no vault opens', () => {
    const parsed = parseMessage(JSON.stringify(goldenOf('AuthorizePayment', 1)));
    assert.equal(parsed.schemaVersion, 2);
    assert.deepEqual((parsed.data as { card: unknown }).card, { token: retiredCardToken, last4: '4242', brand: 'visa' });
  });

  it('given AuthorizePayment v2, when a v1 payment service would read it, then the declared forward break refuses it', () => {
    assert.equal(readableBy(messageCatalog.AuthorizePayment, 1, 2), false);
    assert.equal(readableBy(messageCatalog.ReserveStock, 1, 2), true);
  });

  it('given a v1 message that breaks v1, when consumed, then it is refused naming the field, never upcast blindly', () => {
    const broken = { ...goldenOf('OrderPlaced', 1), data: { ...(goldenOf('OrderPlaced', 1).data as object), lines: [{ sku: 'SKU-001', qty: 0, price: 1 }] } };
    assert.throws(() => parseMessage(JSON.stringify(broken)), (error: unknown) => error instanceof ContractError && error.code === 'INVALID_SHAPE' && /OrderPlaced v1: lines\.0\.qty/.test(error.message));
  });
});

describe('a producer one version ahead', () => {
  const ahead = (type: string, by: number, extra: object) => {
    const envelope = goldenOf(type, 1);
    return JSON.stringify({ ...envelope, schemaVersion: 1 + by, data: { ...(envelope.data as object), addedLater: extra } });
  };

  it('given a reply or command at v2 with a field v1 does not know, when consumed by v1, then it is read and the field dropped', () => {
    const parsed = parseMessage(ahead('StockReserved', 1, { at: 'x' }));
    assert.deepEqual(parsed, goldenOf('StockReserved', 1));
    assert.equal(codeOf(() => parseMessage(ahead('ReserveStock', 1, {}))), 'accepted');
  });

  it('given two versions ahead, or an event ahead, when consumed, then the version is refused: only FULL types promise forward reads', () => {
    assert.deepEqual([codeOf(() => parseMessage(ahead('StockReserved', 2, {}))), codeOf(() => parseMessage(ahead('OrderConfirmed', 1, {})))], ['UNSUPPORTED_VERSION', 'UNSUPPORTED_VERSION']);
  });
});
