import { assertNever } from '@shopfront/contracts';

/** The internal services the gateway forwards to. */
export const upstreamNames = ['order', 'inventory', 'payment', 'shipping', 'orchestrator'] as const;
export type Upstream = (typeof upstreamNames)[number];

/** Each service's Kafka consumers, as a fault target: an error rate there crashes them before a batch. */
const consumerTargets = upstreamNames.map((name) => `${name}-consumers` as const);

/** What `PUT /v1/admin/faults/{service}` accepts. */
export const faultTargets = ['gateway', ...upstreamNames, 'payment-provider', ...consumerTargets] as const;
export type FaultTarget = (typeof faultTargets)[number];

export type FaultRoute = { kind: 'local' } | { kind: 'upstream'; upstream: Upstream; target: 'self' | 'payment-provider' | 'consumer' };

/** The gateway faults itself; a service faults itself; the card provider is simulated inside payment. */
export function routeFault(target: FaultTarget): FaultRoute {
  switch (target) {
    case 'gateway':
      return { kind: 'local' };
    case 'payment-provider':
      return { kind: 'upstream', upstream: 'payment', target: 'payment-provider' };
    case 'order':
    case 'inventory':
    case 'payment':
    case 'shipping':
    case 'orchestrator':
      return { kind: 'upstream', upstream: target, target: 'self' };
    case 'order-consumers':
    case 'inventory-consumers':
    case 'payment-consumers':
    case 'shipping-consumers':
    case 'orchestrator-consumers':
      return { kind: 'upstream', upstream: upstreamOf(target), target: 'consumer' };
    default:
      return assertNever(target);
  }
}

const upstreamOf = (target: `${Upstream}-consumers`): Upstream => target.slice(0, -'-consumers'.length) as Upstream;
