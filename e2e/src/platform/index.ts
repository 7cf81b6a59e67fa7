import { e2eConfig } from '../config.js';
import { startLocalPlatform } from './local.js';
import type { RunningPlatform } from './types.js';

export type { RunningPlatform, ServiceName } from './types.js';

/**
 * Testcontainers where a Docker engine answers and the images are built
 * (`npm run images`), local processes otherwise; E2E_MODE=local|containers
 * forces one. Says which path ran.
 */
export async function startPlatform(options: { extraEnv?: Record<string, string> } = {}): Promise<RunningPlatform> {
  const mode = e2eConfig.E2E_MODE;
  if (mode !== 'local') {
    const containers = await import('./containers.js').catch(() => undefined);
    if (containers && (mode === 'containers' || (await containers.dockerAnswers()))) {
      const platform = await containers.startContainerPlatform(options);
      console.log(`e2e: platform running through testcontainers (gateway ${platform.gatewayUrl})`);
      return platform;
    }
    if (mode === 'containers') throw new Error('E2E_MODE=containers but no Docker engine or images are available');
  }
  const platform = await startLocalPlatform(options);
  const why = mode === 'local' ? 'E2E_MODE=local' : 'no Docker engine or images';
  console.log(`e2e: platform running as local processes (${why}; gateway ${platform.gatewayUrl})`);
  return platform;
}
