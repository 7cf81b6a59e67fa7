import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventStoreError, upcast, type Upcaster } from './index.js';

const chain: Upcaster[] = [
  { type: 'Renamed', fromVersion: 1, upcast: (data) => ({ fullName: (data as { name: string }).name }) },
  { type: 'Renamed', fromVersion: 2, upcast: (data, metadata) => ({ ...(data as object), by: metadata.user }) },
];

describe('upcast', () => {
  it('given a v1 event and two upcasters, when read, then it arrives at v3 with both changes', () => {
    assert.deepEqual(upcast('Renamed', 1, { name: 'Ada' }, { user: 'u1' }, chain), { schemaVersion: 3, data: { fullName: 'Ada', by: 'u1' } });
  });

  it('given a current event, when read, then it is untouched', () => {
    assert.deepEqual(upcast('Renamed', 3, { fullName: 'Ada', by: 'u1' }, {}, chain), { schemaVersion: 3, data: { fullName: 'Ada', by: 'u1' } });
  });

  it('given an upcaster that throws, when read, then the error is typed and keeps its cause', () => {
    const broken: Upcaster[] = [{ type: 'X', fromVersion: 1, upcast: () => { throw new Error('bad'); } }];
    assert.throws(() => upcast('X', 1, {}, {}, broken), (error: unknown) => error instanceof EventStoreError && error.code === 'UPCAST_FAILED' && (error.cause as Error).message === 'bad');
  });
});
