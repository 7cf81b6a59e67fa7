import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { cardBrand, TokenizedCard } from './cards.js';
import { openCard, sealCard } from './card-seal.js';
import { PlaceOrderRequest } from './http.js';
import { isStorableText } from './text.js';

describe('storable text', () => {
  it('given NUL or an unpaired surrogate anywhere, then it is refused; paired surrogates and other text pass', () => {
    for (const text of ['a\u0000b', '\ud800', 'x\udc00', '\udc00\ud800', 'end\ud83d']) assert.equal(isStorableText(text), false, JSON.stringify(text));
    for (const text of ['', 'Ada', 'Zürich', '😀', '\ud83d\ude00x', '\t\n']) assert.equal(isStorableText(text), true, JSON.stringify(text));
  });

  it('given an order with such text or a quantity past 10 000, then the field is named', () => {
    const order = { customerId: 'c', items: [{ sku: 'SKU-001', quantity: 1 }], payment: { card: '4242424242424242' }, shippingAddress: { name: 'A', line1: 'l', city: 'B', postalCode: '1', country: 'DE' } };
    const fields = (body: unknown) => (PlaceOrderRequest.safeParse(body).error?.issues ?? []).map((issue) => issue.path.join('.'));
    assert.deepEqual(fields(order), []);
    assert.deepEqual(fields({ ...order, customerId: 'a\u0000' }), ['customerId']);
    assert.deepEqual(fields({ ...order, items: [{ sku: 'SKU-001', quantity: 2 ** 31 }] }), ['items.0.quantity']);
    assert.deepEqual(fields({ ...order, shippingAddress: { ...order.shippingAddress, line1: '\udfff' } }), ['shippingAddress.line1']);
  });
});

describe('card brands', () => {
  it('given the issuer prefixes, then the brand', () => {
    assert.deepEqual(['4242424242424242', '5555555555554444', '2221000000000009', '378282246310005', '6011111111111117', '9999999999999995'].map(cardBrand), [
      'visa', 'mastercard', 'mastercard', 'amex', 'discover', 'unknown',
    ]);
  });
});

describe('sealed card tokens', () => {
  const pair = () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { publicKey, privateKey };
  };
  const vault = pair();

  it('given a sealed card, then only the private half opens it, and the token never shows the number', () => {
    const sealed = sealCard(vault.publicKey, '4000000000000002');
    assert.deepEqual({ last4: sealed.last4, brand: sealed.brand }, { last4: '0002', brand: 'visa' });
    assert.ok(TokenizedCard.safeParse(sealed).success);
    assert.ok(!sealed.token.includes('4000000000000002'));
    assert.equal(openCard(vault.privateKey, sealed.token), '4000000000000002');
    assert.notEqual(sealCard(vault.publicKey, '4000000000000002').token, sealed.token, 'randomised: equal numbers make different tokens');
    assert.equal(openCard(pair().privateKey, sealed.token), undefined, 'another vault cannot open it');
  });

  it('given a tampered, truncated or foreign token, then it opens to nothing', () => {
    const { token } = sealCard(vault.publicKey, '4242424242424242');
    const flipped = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    for (const bad of [flipped, token.slice(0, 60), 'tok_retired_before_vault_0000', 'not-a-token']) assert.equal(openCard(vault.privateKey, bad), undefined);
  });
});
