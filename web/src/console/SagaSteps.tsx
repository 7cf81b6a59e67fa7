import { formatTime } from '../shared/api.js';
import { drawSteps, type SagaLogEntry, type StepMoment } from './saga-steps.js';

export const stepOrder = ['reserveStock', 'authorizePayment', 'scheduleShipment', 'capturePayment'] as const;

function Moments({ moments }: { moments: StepMoment[] }) {
  return (
    <ul>
      {moments.map((moment, index) => (
        <li key={index}>
          <span className="mono">{formatTime(moment.at)}</span> {moment.event}
          {moment.note && <strong> {moment.note}</strong>}
          {moment.sinceMs !== null && <span className="muted"> +{moment.sinceMs} ms</span>}
          {moment.messageId && <div className="mono muted">message {moment.messageId}</div>}
          <TraceId moment={moment} />
        </li>
      ))}
    </ul>
  );
}

/** There is no trace UI to link to: the id is shown to copy into whatever holds the spans. */
function TraceId({ moment }: { moment: StepMoment }) {
  // None where tracing is off, or where the clock (a deadline) moved the saga.
  if (!moment.traceId) return <div className="muted">no trace id</div>;
  const id = moment.traceId;
  return (
    <div className="mono muted" data-testid="trace-id">
      trace <span className="copyable">{id}</span>{' '}
      <button type="button" className="secondary small" aria-label={`Copy trace id of ${moment.event}`} onClick={() => void navigator.clipboard?.writeText(id)}>
        Copy
      </button>
    </div>
  );
}

/** Steps down the left, each compensation on the right beside the step it undoes, numbered in unwind order. */
export function SagaSteps({ log }: { log: SagaLogEntry[] }) {
  const steps = drawSteps(log, stepOrder);
  return (
    <div className="saga-steps" role="list" aria-label="Saga steps">
      {steps.map((step) => (
        <div key={step.step} role="listitem" style={{ display: 'contents' }}>
          <div className="saga-step" data-testid={`step-${step.step}`}>
            <h3>
              {step.step} <span className={`status ${step.outcome}`}>{step.outcome.replace('_', ' ')}</span>
              {step.tookMs !== null && <span className="muted"> {step.tookMs} ms</span>}
            </h3>
            <Moments moments={step.action} />
          </div>
          {step.compensation ? (
            <div className="saga-step compensation" data-testid={`compensation-${step.step}`}>
              <h3>
                ↩ undo {step.step} <span className="muted">(unwind #{step.unwindOrder})</span>
              </h3>
              <Moments moments={step.compensation} />
            </div>
          ) : (
            <div className="saga-step empty" aria-hidden="true" />
          )}
        </div>
      ))}
    </div>
  );
}
