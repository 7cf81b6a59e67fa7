import { withTransaction, type Pool, type Sql } from '@shopfront/postgres';
import { applyBatch, ensureProjection, projectionChecksum, projectionSchema, type Projection } from './projections.js';
import type { Upcaster } from './upcasting.js';

export interface RebuildReport {
  projection: string;
  events: number;
  checksum: string;
  liveChecksumBefore: string;
  /** Both models stood at the same checkpoint when compared: equal checksums are expected. */
  comparable: boolean;
  swapped: boolean;
  seconds: number;
}

/**
 * Blue-green rebuild: replays the whole store into a shadow schema while the
 * live projection keeps serving and updating; then, holding the live
 * checkpoint's lock, catches the shadow up to it, compares checksums and
 * swaps the schemas in one transaction. Readers never see a half-built model.
 */
export async function rebuildProjection(
  pool: Pool,
  projection: Projection,
  options: { upcasters?: readonly Upcaster[]; progress?: (events: number) => void } = {},
): Promise<RebuildReport> {
  const started = Date.now();
  const live = projectionSchema(projection.name);
  const shadow = `${live}_shadow`;
  const shadowCheckpoint = `${projection.name}#rebuild`;
  await pool.query(`DROP SCHEMA IF EXISTS ${shadow} CASCADE`);
  await pool.query('DELETE FROM projection_checkpoints WHERE name = $1', [shadowCheckpoint]);
  await ensureProjection(pool, { ...projection, name: shadowCheckpoint }, shadow);
  await ensureProjection(pool, projection, live);

  let events = 0;
  for (;;) {
    const applied = await applyBatch(pool, projection, { checkpointName: shadowCheckpoint, schema: shadow, batchSize: 1_000, upcasters: options.upcasters });
    events += applied;
    if (applied > 0) options.progress?.(events);
    if (applied === 0) break;
  }

  return withTransaction(pool, async (tx) => {
    // The live runner waits on this lock; nothing moves under our feet from here.
    const liveAt = await tx.query<{ transaction_id: string; position: number }>(
      'SELECT transaction_id::text, position FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
      [projection.name],
    );
    const target = liveAt.rows[0] ?? { transaction_id: '0', position: 0 };
    // Catch the shadow up to where the live model stands (its events are all visible to us).
    let shadowAt = (await checkpointOf(tx, shadowCheckpoint)) ?? { transaction_id: '0', position: 0 };
    while (await isBehind(tx, shadowAt, target)) {
      const applied = await applyBatch(pool, projection, { checkpointName: shadowCheckpoint, schema: shadow, batchSize: 1_000, upcasters: options.upcasters });
      events += applied;
      shadowAt = (await checkpointOf(tx, shadowCheckpoint)) ?? shadowAt;
      if (applied === 0) break;
    }
    // The shadow may also be ahead (the live runner lagged): then it is the more complete model.
    const comparable = shadowAt.position === target.position;
    const liveChecksumBefore = await projectionChecksum(tx, projection, live);
    const checksum = await projectionChecksum(tx, projection, shadow);
    await tx.query(`ALTER SCHEMA ${live} RENAME TO ${live}_old`);
    await tx.query(`ALTER SCHEMA ${shadow} RENAME TO ${live}`);
    await tx.query(`DROP SCHEMA ${live}_old CASCADE`);
    await tx.query('UPDATE projection_checkpoints SET transaction_id = $2::xid8, position = $3, updated_at = now() WHERE name = $1', [
      projection.name,
      shadowAt.transaction_id,
      shadowAt.position,
    ]);
    await tx.query('DELETE FROM projection_checkpoints WHERE name = $1', [shadowCheckpoint]);
    return { projection: projection.name, events, checksum, liveChecksumBefore, comparable, swapped: true, seconds: (Date.now() - started) / 1000 };
  });
}

async function isBehind(sql: Sql, a: { transaction_id: string; position: number }, b: { transaction_id: string; position: number }): Promise<boolean> {
  const { rows } = await sql.query<{ behind: boolean }>('SELECT ($1::xid8, $2::bigint) < ($3::xid8, $4::bigint) AS behind', [a.transaction_id, a.position, b.transaction_id, b.position]);
  return rows[0]!.behind;
}

async function checkpointOf(sql: Sql, name: string) {
  const { rows } = await sql.query<{ transaction_id: string; position: number }>('SELECT transaction_id::text, position FROM projection_checkpoints WHERE name = $1', [name]);
  return rows[0];
}
