import pg from 'pg';

/**
 * Until the outbox of the database at `databaseUrl` holds nothing: its relay
 * published every message enqueued so far. Drills that lose the broker's data
 * wait for this, since rows still unpublished would survive the loss.
 */
export async function untilOutboxEmpty(databaseUrl: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const until = Date.now() + timeoutMs; ; await new Promise((resolve) => setTimeout(resolve, 100))) {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
      if (rows[0]!.n === 0) return;
      if (Date.now() > until) throw new Error(`${new URL(databaseUrl).pathname.slice(1)}'s outbox still holds ${rows[0]!.n} row(s) after ${timeoutMs} ms`);
    }
  } finally {
    await client.end();
  }
}

/** The same server's URL with another database. */
export const withDatabase = (serverUrl: string, database: string): string => serverUrl.replace(/\/[^/]*$/, `/${database}`);
