import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendDatabase, cpuDelta } from './processes.ts';

describe('backendDatabase', () => {
  it('reads the database from a backend title, with or without a cluster name', () => {
    assert.equal(backendDatabase('postgres: 15/main: postgres shopfront_order_bench_ab12cd 127.0.0.1(60960) idle'), 'shopfront_order_bench_ab12cd');
    assert.equal(backendDatabase('postgres: postgres shopfront_order 127.0.0.1(5555) INSERT'), 'shopfront_order');
  });

  it('gives nothing for the server own processes', () => {
    assert.equal(backendDatabase('postgres: 15/main: checkpointer'), undefined);
    assert.equal(backendDatabase('postgres: 15/main: logical replication launcher'), undefined);
    assert.equal(backendDatabase('/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main'), undefined);
  });
});

describe('cpuDelta', () => {
  it('never goes negative when a restarted process starts its count again', () => {
    assert.deepEqual(cpuDelta({ order: 5, kafka: 1 }, { order: 0.5, kafka: 3 }), { order: 0, kafka: 2 });
  });
});
