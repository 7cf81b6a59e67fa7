/**
 * One drill, judged: runs it through a recording gateway, waits until every
 * order it placed is terminal (that wait is its time to quiescence), checks the
 * contract's invariants and the recorded history, then lets the drill undo what
 * it set up. Shared by `npm run chaos` and the e2e subset that CI runs.
 */
import { join } from 'node:path';
import { checkInvariants } from '../../e2e/src/invariants.js';
import { repoRoot } from '../runner/platform.ts';
import type { Drill, DrillContext } from './drills.js';
import { readModelsAgree } from './read-models.ts';
import { checkHistory, formatViolation, invariantTitles, type Violation } from './history/checker.js';
import type { FinalState, StockRow } from './history/history.js';
import { readFinalState, RecordingGateway, startingInventory, writeVerdict } from './history/recorder.js';

export interface CheckRow {
  invariant: string;
  holds: boolean;
  detail: string;
}

export interface DrillVerdict {
  drill: string;
  fault: string;
  orders: number;
  checks: CheckRow[];
  /** From the fault's heal until every order it placed was terminal. */
  quietAfterS: number;
}

export async function runDrill(drill: Drill, context: Omit<DrillContext, 'gateway'>, gatewayUrl: string): Promise<DrillVerdict> {
  const recording = new RecordingGateway(gatewayUrl, drill.name);
  const inventoryAtStart = await startingInventory(recording);
  const outcome = await drill.run({ ...context, gateway: recording });
  try {
    const healedAt = Date.now();
    const invariants = await checkInvariants(recording, outcome.orderIds, { settleMs: drill.settleMs });
    const quietAfterS = (Date.now() - healedAt) / 1000;
    // Invariant 5 once every order has ended: the order service's read models against its event store.
    const readModels = { invariant: '5 read models agree with the event store', ...(await readModelsAgree(context.platform.settings, outcome.orderIds)) };
    const checks = [...outcome.checks, ...invariants, readModels, ...(await judgeHistory(recording, inventoryAtStart, context.log))];
    return { drill: drill.name, fault: drill.fault, orders: outcome.orderIds.length, checks, quietAfterS };
  } finally {
    await outcome.afterChecks?.();
  }
}

/** The history checker's verdict as rows: one per invariant it found broken, or one saying none was. */
async function judgeHistory(recording: RecordingGateway, inventoryAtStart: StockRow[], log: (line: string) => void): Promise<CheckRow[]> {
  const history = recording.history();
  let final: FinalState | undefined;
  let violations: Violation[] = [];
  let unread: string | undefined;
  try {
    final = await readFinalState(recording, history, inventoryAtStart);
    violations = checkHistory(history, final);
  } catch (error) {
    unread = (error as Error).message;
  }
  const file = writeVerdict(join(repoRoot, 'bench-results'), history, final, violations);
  log(`history of ${history.operations.length} operations: ${file}`);
  if (unread) return [{ invariant: 'history checker', holds: false, detail: unread }];
  if (violations.length === 0) return [{ invariant: `history checker: ${history.operations.length} operations, 0 violations`, holds: true, detail: '' }];
  log(formatViolation(violations[0]!, history.startedAt));
  const broken = [...new Set(violations.map((violation) => violation.invariant))];
  return broken.map((invariant) => {
    const of = violations.filter((violation) => violation.invariant === invariant);
    return { invariant: `history: ${invariantTitles[invariant]}`, holds: false, detail: `${of.length} violation(s); first: ${of[0]!.explanation}` };
  });
}
