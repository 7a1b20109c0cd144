// kafkajs (a pure JavaScript Kafka client) through the gateway, for KafkajsIT.
// usage: node client.js '<json settings>'; prints one JSON object with what happened, or exits 1 with the error.
//   settings: brokers, username, password (SCRAM-SHA-512), topic, deniedTopic, groupId, count,
//             transactionalId, offsetsGroupId; caFile (optional): TLS, trusting this CA
'use strict';
const fs = require('fs');
const { Kafka, logLevel, CompressionTypes } = require('kafkajs');

const settings = JSON.parse(process.argv[2]);

async function main() {
  const kafka = new Kafka({
    clientId: 'warden-kafkajs',
    brokers: settings.brokers,
    sasl: { mechanism: 'scram-sha-512', username: settings.username, password: settings.password },
    ssl: settings.caFile ? { ca: [fs.readFileSync(settings.caFile, 'utf-8')] } : false,
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  });
  const out = {};

  const admin = kafka.admin();
  await admin.connect();
  const cluster = await admin.describeCluster();
  out.brokers = cluster.brokers.map(b => `${b.host}:${b.port}`);
  out.topics = (await admin.listTopics()).sort();

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const messages = [];
  for (let i = 0; i < settings.count; i++) {
    messages.push({ key: `k${i % 4}`, value: `message-${i}` });
  }
  const half = Math.floor(messages.length / 2);
  await producer.send({ topic: settings.topic, messages: messages.slice(0, half), acks: -1 });
  await producer.send({ topic: settings.topic, messages: messages.slice(half), acks: -1, compression: CompressionTypes.GZIP });
  try {
    await producer.send({ topic: settings.deniedTopic, messages: [{ value: 'not allowed' }], acks: -1 });
    out.denied = 'none';
  } catch (e) {
    out.denied = e.type || (e.originalError && e.originalError.type) || e.name;
  }
  await producer.disconnect();

  // one committed and one aborted transaction; the committed one also commits offsets for another group
  const transactional = kafka.producer({ transactionalId: settings.transactionalId, idempotent: true, maxInFlightRequests: 1 });
  await transactional.connect();
  const committed = await transactional.transaction();
  await committed.send({ topic: settings.topic, messages: [0, 1, 2, 3, 4].map(i => ({ value: `committed-${i}` })) });
  await committed.sendOffsets({ consumerGroupId: settings.offsetsGroupId,
    topics: [{ topic: settings.topic, partitions: [{ partition: 0, offset: '7' }] }] });
  await committed.commit();
  const aborted = await transactional.transaction();
  await aborted.send({ topic: settings.topic, messages: [0, 1, 2, 3, 4].map(i => ({ value: `aborted-${i}` })) });
  await aborted.abort();
  await transactional.disconnect();
  const expected = settings.count + 5;

  const consumer = kafka.consumer({ groupId: settings.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: settings.topic, fromBeginning: true });
  const consumed = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${consumed.length} of ${expected} in 60 s`)), 60000);
    consumer.run({
      eachMessage: async ({ message }) => {
        consumed.push(message.value.toString());
        if (consumed.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  out.consumed = consumed.sort();

  const offsets = await admin.fetchOffsets({ groupId: settings.groupId, topics: [settings.topic] });
  out.committed = offsets[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  const txOffsets = await admin.fetchOffsets({ groupId: settings.offsetsGroupId, topics: [settings.topic] });
  out.transactionOffset = Number(txOffsets[0].partitions.find(p => p.partition === 0).offset);
  await admin.disconnect();
  console.log(JSON.stringify(out));
}

main().catch(e => {
  console.error(`kafkajs failed: ${e.name}: ${e.message}${e.type ? ` (${e.type})` : ''}`);
  process.exit(1);
});
