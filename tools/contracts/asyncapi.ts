/**
 * docs/asyncapi.yaml (AsyncAPI 3.0) and the topics table of docs/messaging.md, generated from
 * libs/contracts' catalog: `npm run contracts:asyncapi` writes them, `npm run contracts:check`
 * fails when the committed ones differ.
 */
import { allTopics, deadLetterTopic, EnvelopeHeader, forwardBreak, messageCatalog, ruleOf, type MessageSpec, type Service, type Topic } from '@shopfront/contracts';
import { stringify } from 'yaml';
import { z } from 'zod';

type Json = Record<string, unknown>;
const entries = Object.entries(messageCatalog) as [string, MessageSpec][];

const channelId = (topic: string) => topic.replace(/\.(\w)/g, (_, letter: string) => letter.toUpperCase());
const messageId = (type: string, version: number) => `${type}V${version}`;
const ref = (path: string) => ({ $ref: `#/${path}` });
const versionsOf = (spec: MessageSpec) => spec.history.versions.map((_, index) => index + 1);

const ruleText = {
  BACKWARD_TRANSITIVE: 'backward-transitive: today’s consumer reads every version ever published (older ones upcast); consumers upgrade before producers',
  FULL: 'full with the previous version: a consumer reads the previous and the next version, so either side may upgrade first',
} as const;

function payload(type: string, spec: MessageSpec, version: number): Json {
  const header = z.toJSONSchema(EnvelopeHeader, { io: 'output', target: 'draft-7' }) as Json;
  const data = z.toJSONSchema(spec.history.versions[version - 1]!, { io: 'output', target: 'draft-7', unrepresentable: 'any' }) as Json;
  delete header.$schema;
  delete data.$schema;
  const properties = header.properties as Json;
  return {
    ...header,
    description: 'The envelope: messageId (the inbox’s idempotency key), type and schemaVersion say what `data` is.',
    properties: { ...properties, type: { type: 'string', const: type }, schemaVersion: { type: 'integer', const: version }, data },
    required: [...(header.required as string[]), 'data'],
  };
}

function messageObject(type: string, spec: MessageSpec, version: number): Json {
  const current = versionsOf(spec).length;
  return {
    name: type,
    title: `${type} v${version}`,
    summary: spec.summary,
    description:
      `${spec.kind} on \`${spec.topic}\`, keyed by ${spec.key}; produced by ${spec.producer}, acted on by ${spec.consumers.join(', ') || 'no service yet'}. ` +
      `Rule: ${ruleText[ruleOf(spec.kind)]}.` +
      (version < current ? ` Superseded by v${current}; still accepted and upcast by consumers.` : '') +
      (version > 1 && forwardBreak(spec, version - 1) !== undefined ? ` Declared forward break: a v${version - 1} consumer cannot read it (${forwardBreak(spec, version - 1)}).` : ''),
    contentType: 'application/json',
    headers: ref('components/schemas/TraceHeaders'),
    payload: payload(type, spec, version),
    correlationId: ref('components/correlationIds/orderOrSku'),
    bindings: { kafka: { key: { type: 'string', description: spec.key === 'sku' ? 'the SKU' : 'the orderId' }, bindingVersion: '0.5.0' } },
    'x-shopfront-kind': spec.kind,
    'x-shopfront-rule': ruleOf(spec.kind),
    'x-shopfront-schema-version': version,
  };
}

const topicDescriptions: Record<Topic, string> = {
  'order.events': "The order service's domain events (choreography: saga start, stock commit).",
  'order.commands': 'Orchestrator → order service: confirm or cancel.',
  'inventory.commands': 'Orchestrator → inventory: reserve or release stock.',
  'payment.commands': 'Orchestrator → payment: authorize, capture, void, refund.',
  'shipping.commands': 'Orchestrator → shipping: schedule or cancel a shipment.',
  'saga.replies': 'Participants → orchestrator: the outcome of each command.',
  'saga.events': "The orchestrator's record of each step: the order timeline.",
  'inventory.events': "Inventory's stock and price changes: the order service's catalog.",
};

export function asyncApiDocument(version: string): Json {
  const messages: Json = {};
  const channels: Json = {};
  const operations: Json = {};
  for (const [type, spec] of entries) for (const v of versionsOf(spec)) messages[messageId(type, v)] = messageObject(type, spec, v);
  for (const topic of allTopics) {
    const onTopic = entries.filter(([, spec]) => spec.topic === topic);
    const id = channelId(topic);
    channels[id] = {
      address: topic,
      title: topic,
      description: `${topicDescriptions[topic]} Keyed by ${[...new Set(onTopic.map(([, spec]) => spec.key))].join(' or ')}, so one key's messages stay in order. Deployments may prefix the name (KAFKA_TOPIC_PREFIX).`,
      messages: Object.fromEntries(onTopic.flatMap(([type, spec]) => versionsOf(spec).map((v) => [messageId(type, v), ref(`components/messages/${messageId(type, v)}`)]))),
    };
    channels[`${id}Dlq`] = {
      address: deadLetterTopic(topic),
      title: deadLetterTopic(topic),
      description: `What a consumer of ${topic} could not process: the original key and value, with x-dlq-* headers (npm run dlq).`,
      messages: { DeadLetter: ref('components/messages/DeadLetter') },
    };
    const services = new Set<Service>(onTopic.flatMap(([, spec]) => [spec.producer, ...spec.consumers]));
    for (const service of [...services].sort()) {
      const sent = onTopic.filter(([, spec]) => spec.producer === service);
      const received = onTopic.filter(([, spec]) => spec.consumers.includes(service));
      // A producer writes the current version; a consumer reads every version its rule lets it.
      if (sent.length > 0) operations[`${service}Sends${capitalized(id)}`] = operation('send', service, id, sent.map(([type, spec]) => messageId(type, versionsOf(spec).length)));
      if (received.length > 0) operations[`${service}Receives${capitalized(id)}`] = operation('receive', service, id, received.flatMap(([type, spec]) => versionsOf(spec).map((v) => messageId(type, v))));
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Shopfront messages',
      version,
      description:
        'Every Kafka topic and message of Shopfront, generated from libs/contracts (`npm run contracts:asyncapi`; do not edit by hand). ' +
        'Each message is a JSON envelope; `schemaVersion` names the version of `data`. Compatibility rules: docs/adr/0015-message-compatibility-rules.md.',
    },
    defaultContentType: 'application/json',
    servers: { local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The broker `npm start` runs (KRaft, Apache Kafka 4).' } },
    channels,
    operations,
    components: {
      messages: {
        ...messages,
        DeadLetter: {
          name: 'DeadLetter',
          title: 'A dead letter',
          summary: 'The original message, unchanged, with why it was parked.',
          contentType: 'application/json',
          headers: ref('components/schemas/DeadLetterHeaders'),
          payload: { description: 'The original value as it was consumed (it may not be valid JSON).' },
        },
      },
      schemas: {
        TraceHeaders: {
          type: 'object',
          description:
            'Kafka record headers. The W3C trace context of the producing span (ADR 0014). The message id and schema version travel in the envelope (payload: messageId, schemaVersion), not as headers.',
          properties: {
            traceparent: { type: 'string', description: 'W3C traceparent of the relay’s PRODUCER span', pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' },
            tracestate: { type: 'string', description: 'W3C tracestate, when the producer had one' },
          },
        },
        DeadLetterHeaders: {
          type: 'object',
          description: 'The original headers, plus these.',
          properties: Object.fromEntries(
            [
              ['x-dlq-consumer', 'the consumer (group) that gave up'],
              ['x-dlq-source', 'topic/partition/offset of the original'],
              ['x-dlq-attempts', 'how many times it was tried'],
              ['x-dlq-error', 'the last error, at most 1000 characters'],
              ['x-dlq-at', 'when it was parked (ISO 8601)'],
            ].map(([name, description]) => [name, { type: 'string', description }]),
          ),
        },
      },
      correlationIds: { orderOrSku: { description: 'The order (or, for stock, the SKU) the message belongs to.', location: '$message.payload#/correlationId' } },
    },
  };
}

function operation(action: 'send' | 'receive', service: Service, channel: string, ids: string[]): Json {
  return {
    action,
    title: `${service} ${action === 'send' ? 'sends to' : 'receives from'} ${channel}`,
    channel: ref(`channels/${channel}`),
    messages: ids.map((id) => ref(`channels/${channel}/messages/${id}`)),
    tags: [{ name: `service:${service}` }],
  };
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export const asyncApiYaml = (version: string): string =>
  `# Generated from libs/contracts by \`npm run contracts:asyncapi\`: do not edit by hand.\n${stringify(asyncApiDocument(version), { lineWidth: 0, aliasDuplicateObjects: false })}`;

/** The topics and messages table of docs/messaging.md, read back from the AsyncAPI document alone. */
export function messagingTable(document: Json): string {
  type Ref = { $ref: string };
  const channels = document.channels as Record<string, { address: string; messages: Record<string, Ref> }>;
  const operations = Object.values(document.operations as Record<string, { action: string; messages: Ref[]; tags: { name: string }[] }>);
  const components = (document.components as { messages: Record<string, Json> }).messages;
  const last = (reference: string) => reference.split('/').pop()!;
  const services = (action: string, id: string) =>
    operations.filter((op) => op.action === action && op.messages.some((message) => last(message.$ref) === id)).map((op) => op.tags[0]!.name.replace('service:', ''));
  const rows = ['| topic | message | versions | kind | rule | key | producer | consumers |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const channel of Object.values(channels).filter((entry) => !entry.address.endsWith('.dlq'))) {
    const byName = new Map<string, string[]>();
    for (const { $ref } of Object.values(channel.messages)) {
      const name = components[last($ref)]!.name as string;
      byName.set(name, [...(byName.get(name) ?? []), last($ref)]);
    }
    for (const [name, ids] of byName) {
      const latest = components[ids[ids.length - 1]!]!;
      const key = ((latest.bindings as { kafka: { key: { description: string } } }).kafka.key.description).replace('the ', '');
      const producers = [...new Set(ids.flatMap((id) => services('send', id)))];
      const consumers = [...new Set(ids.flatMap((id) => services('receive', id)))];
      const versions = ids.map((id) => `v${components[id]!['x-shopfront-schema-version'] as number}`).join(', ');
      rows.push(`| \`${channel.address}\` | ${name} | ${versions} | ${latest['x-shopfront-kind'] as string} | ${latest['x-shopfront-rule'] as string} | ${key} | ${producers.join(', ')} | ${consumers.join(', ') || '—'} |`);
    }
  }
  return rows.join('\n');
}
