import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cancelShipment, scheduleShipment, type Shipment } from './shipment.js';

const orderId = '0b0e4d1c-2f35-4c1e-9a55-0c1d2e3f4a5b';
const address = (country: string) => ({ name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country });
const request = (country = 'DE') => ({ orderId, address: address(country), items: [{ sku: 'SKU-001', quantity: 2 }] });
const scheduled: Shipment = { ...request(), shipmentId: 'first', status: 'SCHEDULED' };

describe('scheduleShipment', () => {
  it('given a served country and nothing yet, when scheduled, then a shipment is made with the new id', () => {
    assert.deepEqual(scheduleShipment(undefined, request(), 'new'), { kind: 'scheduled', shipment: { ...request(), shipmentId: 'new', status: 'SCHEDULED' } });
  });

  it('given a shipment already scheduled, when scheduled again, then the first shipment answers', () => {
    assert.deepEqual(scheduleShipment(scheduled, request(), 'new'), { kind: 'alreadyScheduled', shipment: scheduled });
  });

  it('given AQ, when scheduled, then it is unavailable and nothing is made', () => {
    assert.deepEqual(scheduleShipment(undefined, request('AQ'), 'new'), { kind: 'unavailable', reason: 'SHIPPING_UNAVAILABLE' });
  });

  it('given a cancellation that came first, when the schedule arrives late, then nothing is scheduled', () => {
    assert.deepEqual(scheduleShipment(cancelShipment(undefined, orderId, 'tomb'), request(), 'new'), { kind: 'cancelledBefore' });
  });
});

describe('cancelShipment', () => {
  it('given a scheduled shipment, when cancelled, then it keeps its id and is cancelled', () => {
    assert.deepEqual(cancelShipment(scheduled, orderId, 'new'), { ...scheduled, status: 'CANCELLED' });
  });

  it('given nothing yet, when cancelled, then a tombstone with no address and no items is left', () => {
    assert.deepEqual(cancelShipment(undefined, orderId, 'tomb'), { orderId, shipmentId: 'tomb', status: 'CANCELLED', address: null, items: [] });
  });
});
