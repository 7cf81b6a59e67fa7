/**
 * Network and time faults between real processes, the short subset CI runs
 * (`npm run chaos -- network,time` has them all): a service cut from its
 * Postgres, and a service frozen past its consumer session while a second
 * replica takes over. Each is the chaos drill itself (tools/chaos), judged
 * the same way: the fault bit, invariants 1-4, no dead letter, the recorded
 * history without violation.
 *
 * Local processes only: a drill moves a service into a network namespace and
 * drops packets with nftables, so it needs root, iproute2 and nftables (.ci/run
 * installs nftables); without them the suite is skipped and says why.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { networkDrills } from '../../tools/chaos/network-drills.js';
import { networkFaultsPossible } from '../../tools/chaos/network/namespace.ts';
import type { PlatformProcesses } from '../../tools/chaos/processes.ts';
import { runDrill } from '../../tools/chaos/run-drill.ts';
import { timeDrills } from '../../tools/chaos/time-drills.js';
import { warmedUp, GatewayClient } from './client.js';
import { e2eConfig } from './config.js';
import { startLocalPlatform, type LocalPlatform } from './platform/local.js';

// Two of them keep CI under its 30 minutes: a partition from the database, and a pause past the session.
const subset = ['net-partition-postgres-orchestrator', 'pause-orchestrator'];
const drills = [...networkDrills, ...timeDrills].filter((drill) => subset.includes(drill.name));
const machine = networkFaultsPossible();

let platform: LocalPlatform;
let processes: PlatformProcesses;
const overridesDir = mkdtempSync(join(tmpdir(), 'shopfront-launch-'));
const table: string[] = [];

describe('network and time faults', { skip: machine.possible ? false : machine.why }, () => {
  before(async () => {
    platform = await startLocalPlatform({ label: 'net', portBase: e2eConfig.E2E_NETWORK_PORT_BASE, overridesDir });
    processes = { settings: platform.settings, pid: platform.pid, overridesDir };
    await warmedUp(new GatewayClient(platform.gatewayUrl));
  });
  after(async () => {
    if (table.length > 0) console.log(['drill | orders | violations | quiet after', ...table].join('\n'));
    await platform?.stop();
    rmSync(overridesDir, { recursive: true, force: true });
  });

  assert.equal(drills.length, subset.length, 'every drill of the subset exists');
  for (const drill of drills) {
    it(`${drill.name}: ${drill.fault}`, async () => {
      const verdict = await runDrill(drill, { platform: processes, log: (line) => console.log(`  ${line}`) }, platform.gatewayUrl);
      const broken = verdict.checks.filter((check) => !check.holds);
      table.push(`${drill.name} | ${verdict.orders} | ${broken.length} | ${verdict.quietAfterS.toFixed(1)} s`);
      for (const check of verdict.checks) console.log(`  ${check.holds ? 'ok    ' : 'BROKEN'} ${check.invariant} ${check.detail}`);
      assert.ok(verdict.orders > 0, 'the drill placed orders');
      assert.deepEqual(broken, []);
    });
  }
});
