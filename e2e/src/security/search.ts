/** Where a secret could hide on the shared infrastructure: every table of a database, every topic of a run. */
import { createKafka, topicOffsets, topicsStartingWith, TopicReader } from '@shopfront/messaging';
import pg from 'pg';

/** `table(rows)` for every table of the database whose rows, as text, contain one of `needles`. */
export async function tablesContaining(databaseUrl: string, needles: readonly string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`,
    );
    const hits: string[] = [];
    for (const table of tables) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(table.schema)}.${pg.escapeIdentifier(table.name)} AS t
          WHERE t::text LIKE ANY ($1)`,
        [needles.map((needle) => `%${needle}%`)],
      );
      if (rows[0]!.n > 0) hits.push(`${table.name}(${rows[0]!.n})`);
    }
    return hits;
  } finally {
    await client.end();
  }
}

/** Reads every message of every topic under `prefix` (dead-letter topics included); answers `topic@offset` of those containing a needle. */
export async function messagesContaining(brokers: string[], prefix: string, needles: readonly string[]): Promise<{ hits: string[]; read: number }> {
  const kafka = createKafka({ clientId: 'security-search', brokers, topicPrefix: prefix });
  const ends = new Map<string, number>();
  for (const [topic, partitions] of await topicOffsets(kafka, await topicsStartingWith(kafka, prefix))) {
    for (const { partition, high } of partitions) if (high > 0) ends.set(`${topic}/${partition}`, high);
  }
  const hits: string[] = [];
  let read = 0;
  if (ends.size === 0) return { hits, read };
  let allRead: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allRead = resolve));
  const reader = new TopicReader({
    broker: kafka,
    groupId: `security-search-${Date.now()}`,
    topics: [...new Set([...ends.keys()].map((key) => key.slice(0, key.lastIndexOf('/'))))],
    from: 'beginning',
    onBatch: (records) => {
      for (const { topic, partition, offset, value, headers } of records) {
        read++;
        const text = `${value?.toString() ?? ''} ${JSON.stringify(headers)}`;
        if (needles.some((needle) => text.includes(needle))) hits.push(`${topic}@${offset}`);
        const key = `${topic}/${partition}`;
        if (Number(offset) + 1 >= (ends.get(key) ?? 0)) ends.delete(key);
      }
      if (ends.size === 0) allRead();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await reader.start();
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`topics not read to their end in 30 s: ${[...ends.keys()].join(', ')}`)), 30_000)));
    await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
    await reader.stop();
  }
  return { hits, read };
}
