/**
 * `npm run projections:rebuild -- <name>`: rebuilds one of the order service's
 * asynchronous read models from the start of the event store into a shadow
 * schema, while the live one keeps serving, then swaps it in (blue-green) and
 * prints both checksums.
 */
import { rebuildProjection } from '@shopfront/event-store';
import { createPool } from '@shopfront/postgres';
import { orderUpcasters } from '../../services/order/src/domain/upcasters.js';
import { asyncProjections } from '../../services/order/src/infra/projections.host.js';

const name = process.argv[2];
const projection = asyncProjections.find((candidate) => candidate.name === name);
if (!projection) {
  console.error(`usage: npm run projections:rebuild -- <name>\nprojections: ${asyncProjections.map((candidate) => candidate.name).join(', ')}`);
  process.exit(2);
}
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/shopfront_order';
const pool = createPool(databaseUrl, { max: 4, name: 'projections-rebuild' });
console.log(`rebuilding ${projection.name} from ${databaseUrl.replace(/\/\/[^@]*@/, '//')}`);
try {
  const report = await rebuildProjection(pool, projection, {
    upcasters: orderUpcasters,
    progress: (events) => process.stdout.write(`\r  replayed ${events} events`),
  });
  console.log(`\n  live checksum before: ${report.liveChecksumBefore}\n  rebuilt checksum:     ${report.checksum}`);
  console.log(
    report.comparable
      ? `  ${report.checksum === report.liveChecksumBefore ? 'identical' : 'DIFFERENT (the live model had drifted; the rebuilt one now serves)'}; swapped in after ${report.seconds.toFixed(1)} s`
      : `  the live model lagged behind the store; the rebuilt one (more complete) now serves; ${report.seconds.toFixed(1)} s`,
  );
} catch (error) {
  console.error(`\nrebuild failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
