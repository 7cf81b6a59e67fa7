import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OffsetCommits, type PartitionOffset } from './offset-commits.js';

const recorder = () => {
  const sent: PartitionOffset[][] = [];
  return { sent, commit: async (offsets: PartitionOffset[]) => void sent.push(offsets) };
};

describe('offset commits', () => {
  it('given batches within one interval, when it passes, then one commit carries the last offset of each partition, one past the last message', async () => {
    const { sent, commit } = recorder();
    const commits = new OffsetCommits(commit, 30);
    await commits.done('t', 0, '4');
    await commits.done('t', 1, '9');
    await commits.done('t', 0, '7');
    assert.equal(sent.length, 0, 'nothing sent before the interval');
    await sleep(80);
    assert.deepEqual(sent, [[{ topic: 't', partition: 0, offset: '8' }, { topic: 't', partition: 1, offset: '10' }]]);
  });

  it('given an interval of 0, then every batch is committed at once', async () => {
    const { sent, commit } = recorder();
    const commits = new OffsetCommits(commit, 0);
    await commits.done('t', 2, '0');
    await commits.done('t', 2, '1');
    assert.deepEqual(sent, [[{ topic: 't', partition: 2, offset: '1' }], [{ topic: 't', partition: 2, offset: '2' }]]);
  });

  it('given a flush on stop, then what is pending is sent before the interval and the timer no longer fires', async () => {
    const { sent, commit } = recorder();
    const commits = new OffsetCommits(commit, 40);
    await commits.done('t', 0, '3');
    await commits.flush();
    assert.deepEqual(sent, [[{ topic: 't', partition: 0, offset: '4' }]]);
    await sleep(80);
    assert.equal(sent.length, 1);
  });

  it('given a commit still under way, then the next one waits for it, so they land in order', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const commits = new OffsetCommits(async (offsets) => {
      order.push(`start ${offsets[0]!.offset}`);
      if (offsets[0]!.offset === '1') await new Promise<void>((resolve) => (release = resolve));
      order.push(`end ${offsets[0]!.offset}`);
    }, 1_000);
    await commits.done('t', 0, '0');
    const first = commits.flush();
    await commits.done('t', 0, '5');
    const second = commits.flush();
    await sleep(10);
    release();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['start 1', 'end 1', 'start 6', 'end 6']);
  });

  it('given a commit the broker refuses, then it is reported and dropped, and later commits still go', async () => {
    const errors: unknown[] = [];
    const sent: string[] = [];
    let refuse = true;
    const commits = new OffsetCommits(
      async (offsets) => {
        if (refuse) throw new Error('REBALANCE_IN_PROGRESS');
        sent.push(offsets[0]!.offset);
      },
      1_000,
      (error) => errors.push(error),
    );
    await commits.done('t', 0, '1');
    await commits.flush();
    refuse = false;
    await commits.done('t', 0, '2');
    await commits.flush();
    assert.equal(errors.length, 1);
    assert.deepEqual(sent, ['3']);
  });

  it('given a crash, when discarded, then nothing pending is sent', async () => {
    const { sent, commit } = recorder();
    const commits = new OffsetCommits(commit, 20);
    await commits.done('t', 0, '1');
    commits.discard();
    await sleep(50);
    assert.deepEqual(sent, []);
  });
});
