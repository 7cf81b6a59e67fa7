/** One row of the orchestrator's saga log (`GET /v1/admin/sagas/{orderId}` → log). */
export interface SagaLogEntry {
  input: string;
  messageId: string | null;
  /** The trace of the span that moved the saga; null where nothing traces or a deadline moved it. */
  traceId: string | null;
  event: string;
  detail: unknown;
  status: string;
  phase: string;
  version: number;
  at: string;
}

export interface StepMoment {
  event: string;
  at: string;
  messageId: string | null;
  traceId: string | null;
  /** Since the saga's previous log entry, in ms; null for its first. */
  sinceMs: number | null;
  note?: string;
}

/** A saga step drawn as a box, with its compensation (if any) beside it. */
export interface DrawnStep {
  step: string;
  action: StepMoment[];
  outcome: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'TRIED' | 'NOT_RUN';
  compensation: StepMoment[] | null;
  /** 1 for the first step undone, 2 for the next…: the unwind order. */
  unwindOrder: number | null;
  /** From the first try to the last action event, in ms. */
  tookMs: number | null;
}

const actionEvents: Record<string, DrawnStep['outcome']> = { StepTried: 'TRIED', StepRetried: 'TRIED', StepSucceeded: 'SUCCEEDED', StepFailed: 'FAILED', StepTimedOut: 'TIMED_OUT' };

const stepOf = (detail: unknown): string | undefined => (typeof detail === 'object' && detail !== null && 'step' in detail ? String((detail as { step: unknown }).step) : undefined);

/**
 * The saga's log as steps: each step's action moments in order, and each
 * compensation beside the step it undoes, numbered in unwind order (the
 * last step done is the first undone). Steps listed in `order` that never
 * ran are drawn as not run.
 */
export function drawSteps(log: SagaLogEntry[], order: readonly string[]): DrawnStep[] {
  const steps = new Map<string, DrawnStep>(order.map((step) => [step, { step, action: [], outcome: 'NOT_RUN', compensation: null, unwindOrder: null, tookMs: null }]));
  let unwound = 0;
  let previousAt: string | undefined;
  for (const entry of log) {
    const step = stepOf(entry.detail);
    const sinceAt = previousAt;
    previousAt = entry.at;
    if (!step) continue;
    let drawn = steps.get(step);
    if (!drawn) steps.set(step, (drawn = { step, action: [], outcome: 'NOT_RUN', compensation: null, unwindOrder: null, tookMs: null }));
    const moment: StepMoment = { event: entry.event, at: entry.at, messageId: entry.messageId, traceId: entry.traceId, sinceMs: sinceAt === undefined ? null : Date.parse(entry.at) - Date.parse(sinceAt) };
    const reason = (entry.detail as { reason?: unknown }).reason;
    if (typeof reason === 'string') moment.note = reason;
    if (entry.event in actionEvents && entry.phase !== 'COMPENSATION') {
      drawn.action.push(moment);
      if (entry.event !== 'StepRetried' || drawn.outcome === 'NOT_RUN') drawn.outcome = actionEvents[entry.event]!;
      drawn.tookMs = Date.parse(entry.at) - Date.parse(drawn.action[0]!.at);
    } else if (entry.event === 'CompensationStarted' || entry.event === 'StepCompensated' || entry.phase === 'COMPENSATION') {
      if (!drawn.compensation) {
        drawn.compensation = [];
        drawn.unwindOrder = ++unwound;
      }
      drawn.compensation.push(moment);
    }
  }
  return [...steps.values()];
}
