/** Clean-up shared by the benches that start services of their own: their databases and topics go with them. */
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

export async function dropBenchResources(postgresUrl: string, kafkaBrokers: string, databases: string[], topicPrefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await client.connect();
  try {
    for (const database of databases) await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await client.end();
  }
  const admin = new Kafka({ clientId: 'bench-cleanup', brokers: kafkaBrokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(topicPrefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
