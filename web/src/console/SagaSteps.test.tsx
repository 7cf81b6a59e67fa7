import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { drawSteps, type SagaLogEntry } from './saga-steps.js';
import { SagaSteps, stepOrder } from './SagaSteps.js';

let second = 0;
/** Each entry's own trace id (32 hex digits, ending in its second), as the orchestrator records it when tracing is on. */
const traceOf = (at: number) => `4bf92f3577b34da6a3ce929d0e0e47${String(at).padStart(2, '0')}`;
const entry = (event: string, detail: object, phase = 'ACTION', traced = true): SagaLogEntry => ({
  input: 'StockReserved',
  messageId: `00000000-0000-4000-8000-00000000000${second}`,
  traceId: traced ? traceOf(second) : null,
  event,
  detail: { type: event, ...detail },
  status: phase === 'COMPENSATION' ? 'COMPENSATING' : 'RUNNING',
  phase,
  version: 1,
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, second++)).toISOString(),
});

/** A declined card: stock was reserved, payment failed, stock released. */
const declined = () => {
  second = 0;
  return [
    entry('SagaStarted', {}),
    entry('StepTried', { step: 'reserveStock' }),
    entry('StepSucceeded', { step: 'reserveStock' }),
    entry('StepTried', { step: 'authorizePayment' }),
    entry('StepFailed', { step: 'authorizePayment', reason: 'PAYMENT_DECLINED' }),
    entry('CompensationStarted', { step: 'reserveStock' }, 'COMPENSATION'),
    entry('StepCompensated', { step: 'reserveStock' }, 'COMPENSATION'),
    entry('SagaCancelled', { reason: 'PAYMENT_DECLINED' }, 'NONE'),
  ];
};

afterEach(cleanup);

describe('drawSteps', () => {
  it('given a declined card, when drawn, then the failed step is marked and the compensation sits beside the step it undoes', () => {
    const steps = drawSteps(declined(), stepOrder);
    expect(steps.map((step) => [step.step, step.outcome, step.unwindOrder])).toEqual([
      ['reserveStock', 'SUCCEEDED', 1],
      ['authorizePayment', 'FAILED', null],
      ['scheduleShipment', 'NOT_RUN', null],
      ['capturePayment', 'NOT_RUN', null],
    ]);
    expect(steps[0]!.compensation!.map((moment) => moment.event)).toEqual(['CompensationStarted', 'StepCompensated']);
    expect(steps[0]!.tookMs).toBe(1000);
    expect(steps[1]!.action.map((moment) => [moment.event, moment.traceId, moment.sinceMs])).toEqual([
      ['StepTried', traceOf(3), 1000],
      ['StepFailed', traceOf(4), 1000],
    ]);
  });

  it('given two steps undone, when drawn, then they are numbered in unwind order (last done, first undone)', () => {
    second = 0;
    const log = [
      entry('StepTried', { step: 'reserveStock' }),
      entry('StepSucceeded', { step: 'reserveStock' }),
      entry('StepTried', { step: 'authorizePayment' }),
      entry('StepSucceeded', { step: 'authorizePayment' }),
      entry('StepTried', { step: 'scheduleShipment' }),
      entry('StepFailed', { step: 'scheduleShipment', reason: 'SHIPPING_UNAVAILABLE' }),
      entry('CompensationStarted', { step: 'authorizePayment' }, 'COMPENSATION'),
      entry('StepCompensated', { step: 'authorizePayment' }, 'COMPENSATION'),
      entry('CompensationStarted', { step: 'reserveStock' }, 'COMPENSATION'),
      entry('StepCompensated', { step: 'reserveStock' }, 'COMPENSATION'),
    ];
    const byStep = Object.fromEntries(drawSteps(log, stepOrder).map((step) => [step.step, step.unwindOrder]));
    expect(byStep).toEqual({ reserveStock: 2, authorizePayment: 1, scheduleShipment: null, capturePayment: null });
  });
});

describe('SagaSteps', () => {
  it('draws each step, its message ids, and the compensation box beside the step it undoes', () => {
    render(<SagaSteps log={declined()} />);
    const reserve = screen.getByTestId('step-reserveStock');
    expect(within(reserve).getByText('SUCCEEDED')).toBeTruthy();
    expect(within(reserve).getByText(/message 00000000-0000-4000-8000-000000000001/)).toBeTruthy();
    // The time of day to the millisecond, not the milliseconds alone.
    expect(reserve.textContent).toMatch(/\d{2}:\d{2}:\d{2}\.\d{3} StepTried/);
    const undo = screen.getByTestId('compensation-reserveStock');
    expect(undo.textContent).toContain('undo reserveStock');
    expect(undo.textContent).toContain('unwind #1');
    expect(undo.previousElementSibling).toBe(reserve);
    expect(within(screen.getByTestId('step-authorizePayment')).getByText('PAYMENT_DECLINED')).toBeTruthy();
    expect(screen.queryByTestId('compensation-authorizePayment')).toBeNull();
  });

  it("shows each moment's trace id to copy, in the step and in its compensation, and says so where there is none", () => {
    const log = declined();
    log[6] = { ...log[6]!, traceId: null };
    render(<SagaSteps log={log} />);
    const reserveTraces = within(screen.getByTestId('step-reserveStock')).getAllByTestId('trace-id').map((node) => node.textContent);
    expect(reserveTraces).toEqual([expect.stringContaining(traceOf(1)), expect.stringContaining(traceOf(2))]);
    const undo = screen.getByTestId('compensation-reserveStock');
    expect(within(undo).getByTestId('trace-id').textContent).toContain(traceOf(5));
    expect(within(undo).getByText('no trace id')).toBeTruthy();
    expect(within(undo).getByRole('button', { name: 'Copy trace id of CompensationStarted' })).toBeTruthy();
  });
});
