/** Clean-up shared by the benches that start services of their own: their databases and topics go with them. */
import { createKafka, deleteTopicsWithPrefix } from '@shopfront/messaging';
import pg from 'pg';

export async function dropBenchResources(postgresUrl: string, kafkaBrokers: string, databases: string[], topicPrefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await client.connect();
  try {
    for (const database of databases) await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await deleteTopicsWithPrefix(createKafka({ clientId: 'bench-cleanup', brokers: kafkaBrokers.split(',') }), topicPrefix);
}
