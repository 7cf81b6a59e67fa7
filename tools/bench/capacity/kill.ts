/**
 * `--kill service@S`: SIGKILL one service S seconds into every step (its
 * supervisor starts it again), then check the contract's invariants over the
 * step's orders. Capacity is worth nothing if a crash under load loses orders.
 */
import { GatewayClient } from '../../../e2e/src/client.js';
import { checkInvariants, type InvariantResult } from '../../../e2e/src/invariants.js';
import { serviceNames, type ServiceName } from '../../runner/services.ts';

export interface KillPlan {
  service: ServiceName;
  atS: number;
}

export function parseKill(text: string | undefined): KillPlan | undefined {
  if (text === undefined) return undefined;
  const [service, at] = text.split('@');
  const atS = Number(at);
  if (!serviceNames.includes(service as ServiceName) || !(atS >= 0)) throw new Error(`--kill takes service@seconds (one of ${serviceNames.join(', ')}), got "${text}"`);
  return { service: service as ServiceName, atS };
}

/** Arms the kill; the returned function disarms it if the step ended first. */
export function armKill(plan: KillPlan, pids: () => Record<string, number | undefined>, say: (line: string) => void): () => void {
  const timer = setTimeout(() => {
    const pid = pids()[plan.service];
    if (!pid) return say(`  --kill: no pid for ${plan.service}`);
    process.kill(pid, 'SIGKILL');
    say(`  --kill: SIGKILLed ${plan.service} (pid ${pid}) ${plan.atS} s into the step`);
  }, plan.atS * 1000);
  return () => clearTimeout(timer);
}

/** Invariants 1-4 over the step's accepted orders, waiting up to `settleMs` for every one to end. */
export async function invariantsAfterKill(gatewayUrl: string, apiKey: string, orderIds: string[], settleMs: number): Promise<InvariantResult[]> {
  return checkInvariants(new GatewayClient(gatewayUrl), orderIds, { settleMs, key: apiKey });
}
