/**
 * Chaos Mesh experiments (chaos-mesh.org/v1alpha1): no kubernetes-models package
 * covers them, so the fields the experiments in k8s/chaos use are spelled here
 * from Chaos Mesh's CRDs, strictly (an unknown or misspelt field is refused).
 */
import { z } from 'zod';

const duration = z.string().regex(/^\d+(ms|s|m|h)$/, 'a Go duration such as 30s');
const selector = z.strictObject({
  namespaces: z.array(z.string()).min(1),
  labelSelectors: z.record(z.string(), z.string()).refine((labels) => Object.keys(labels).length > 0, 'selects by at least one label'),
});
const mode = z.enum(['one', 'all', 'fixed', 'fixed-percent', 'random-max-percent']);
const metadata = z.strictObject({ name: z.string(), namespace: z.string(), labels: z.record(z.string(), z.string()).optional(), annotations: z.record(z.string(), z.string()).optional() });
const head = <K extends string>(kind: K) => ({ apiVersion: z.literal('chaos-mesh.org/v1alpha1'), kind: z.literal(kind), metadata });

export const chaosSchemas = {
  PodChaos: z.strictObject({
    ...head('PodChaos'),
    spec: z.strictObject({ action: z.enum(['pod-kill', 'pod-failure', 'container-kill']), mode, value: z.string().optional(), selector, duration: duration.optional(), gracePeriod: z.number().int().min(0).optional(), containerNames: z.array(z.string()).optional() }),
  }),
  NetworkChaos: z.strictObject({
    ...head('NetworkChaos'),
    spec: z.strictObject({
      action: z.enum(['netem', 'delay', 'loss', 'duplicate', 'corrupt', 'partition', 'bandwidth']),
      mode,
      value: z.string().optional(),
      selector,
      direction: z.enum(['to', 'from', 'both']).optional(),
      target: z.strictObject({ mode, value: z.string().optional(), selector }).optional(),
      delay: z.strictObject({ latency: duration, jitter: duration.optional(), correlation: z.string().optional() }).optional(),
      loss: z.strictObject({ loss: z.string().regex(/^\d+(\.\d+)?$/), correlation: z.string().optional() }).optional(),
      duration,
    }),
  }),
  StressChaos: z.strictObject({
    ...head('StressChaos'),
    spec: z.strictObject({
      mode,
      value: z.string().optional(),
      selector,
      containerNames: z.array(z.string()).optional(),
      stressors: z.strictObject({
        cpu: z.strictObject({ workers: z.number().int().positive(), load: z.number().int().min(1).max(100).optional() }).optional(),
        memory: z.strictObject({ workers: z.number().int().positive(), size: z.string().optional() }).optional(),
      }),
      duration,
    }),
  }),
} as const;

export const isChaos = (apiVersion: string) => apiVersion.startsWith('chaos-mesh.org/');
