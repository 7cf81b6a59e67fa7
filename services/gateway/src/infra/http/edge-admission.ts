import { HttpProblem, sendProblem } from '@shopfront/http';
import type { FastifyInstance } from 'fastify';
import { admit, AnsweredCheckouts, BacklogBound, classify, OrdersInFlight, type AdmissionLimits, type BacklogPolicy } from '../../domain/admission.js';
import { admissionLimit, admissionRefusals, reportAdmissionLoad } from '../metrics.js';

/**
 * Admission control (ADR 0020), as the first hook of every request: before
 * authentication, rate limits or routing, so a refusal costs almost nothing
 * and comes back in well under a millisecond of work. It counts the requests
 * it let in until their sockets close, and reads the saga backlog from the
 * broker feed (`ordersInFlight`).
 */
export class EdgeAdmission {
  private concurrent = 0;
  /** Checkouts admitted and not yet answered, by client and Idempotency-Key: they are in flight before anyone has heard of them. */
  private readonly checkouts = new Map<string, number>();
  /** Each admitted checkout's request, until its order is placed or its socket closes: counted once, never twice. */
  private readonly counting = new WeakMap<object, string>();
  private readonly stopReporting: () => void;
  private readonly bound: BacklogBound;
  /** Ten minutes covers a client's retries; 100,000 keys is a few MB at most. */
  private readonly answered = new AnsweredCheckouts(10 * 60_000, 100_000);

  constructor(
    readonly ordersInFlight: OrdersInFlight,
    private readonly feedIsLive: () => boolean,
    private readonly limits: AdmissionLimits,
    backlog: BacklogPolicy,
  ) {
    this.bound = new BacklogBound(backlog);
    this.stopReporting = reportAdmissionLoad(() => this.load());
    admissionLimit.set({ kind: 'concurrent' }, limits.maxConcurrent);
    for (const [kind, fraction] of Object.entries(limits.shedAt)) admissionLimit.set({ kind: `shed_${kind}` }, Math.floor(limits.maxConcurrent * fraction));
  }

  load(now = Date.now()) {
    const ordersInFlight = this.feedIsLive() ? this.ordersInFlight.count(now) + this.checkouts.size : undefined;
    return {
      concurrent: this.concurrent,
      ordersInFlight,
      backlogBound: this.bound.at(now, () => this.ordersInFlight.recent(now), ordersInFlight ?? 0),
    };
  }

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      const kind = classify(request.method, request.url);
      if (kind === 'unshed') return done();
      const now = Date.now();
      const checkout = kind === 'checkout' ? checkoutOf(request.headers, request.id) : undefined;
      const verdict = admit(kind, { ...this.load(now), answeredBefore: checkout?.keyed && this.answered.has(checkout.id, now) }, this.limits);
      if (!verdict.admit) {
        admissionRefusals.inc({ class: kind, reason: verdict.reason });
        sendProblem(reply, refusal(verdict.reason, verdict.retryAfterS), request.url);
        return; // the reply is sent: Fastify stops here
      }
      this.concurrent++;
      if (checkout) {
        this.checkouts.set(checkout.id, (this.checkouts.get(checkout.id) ?? 0) + 1);
        this.counting.set(request.raw, checkout.id);
      }
      reply.raw.once('close', () => {
        this.concurrent--;
        if (!checkout) return;
        this.stopCounting(request.raw);
        if (checkout.keyed && reply.statusCode >= 200 && reply.statusCode < 300) this.answered.remember(checkout.id, Date.now());
      });
      done();
    });
  }

  /**
   * The order service accepted this request's order: OrdersInFlight counts it by its id from now
   * on, so the checkout stops counting here. Until then a burst placed faster than its answers go
   * out (the idempotency record is written after the order) was counted twice and refused early.
   */
  placed(raw: object): void {
    this.stopCounting(raw);
  }

  private stopCounting(raw: object): void {
    const id = this.counting.get(raw);
    if (id === undefined) return;
    this.counting.delete(raw);
    release(this.checkouts, id);
  }

  close(): void {
    this.stopReporting();
  }
}

/** A checkout by client credential and Idempotency-Key (the request id when it has none: then it is never a retry). */
function checkoutOf(headers: Record<string, string | string[] | undefined>, requestId: string): { id: string; keyed: boolean } {
  const key = headers['idempotency-key'];
  return { id: `${String(headers['x-api-key'] ?? headers.authorization ?? '')}|${String(key ?? requestId)}`, keyed: key !== undefined };
}

function release(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left === 0) counts.delete(key);
  else counts.set(key, left);
}

function refusal(reason: 'gateway-busy' | 'pipeline-full', retryAfterS: number): HttpProblem {
  const detail =
    reason === 'pipeline-full'
      ? `The platform is working through as many orders as it can finish in time; this one was not accepted. Retry after ${retryAfterS} s with the same Idempotency-Key.`
      : `The gateway is serving as many requests as it can answer in time; retry after ${retryAfterS} s.`;
  return new HttpProblem(503, 'Service unavailable', detail, { code: 'OVERLOADED', reason, headers: { 'retry-after': String(retryAfterS) } });
}
