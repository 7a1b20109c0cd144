// kafkajs (a pure JavaScript Kafka client) through the gateway, for KafkajsIT.
// usage: node client.js '<json settings>'; prints one JSON object with what happened, or exits 1 with the error.
//   settings: brokers, username, password (SCRAM-SHA-512), topic, deniedTopic, groupId, count
'use strict';
const { Kafka, logLevel, CompressionTypes } = require('kafkajs');

const settings = JSON.parse(process.argv[2]);

async function main() {
  const kafka = new Kafka({
    clientId: 'warden-kafkajs',
    brokers: settings.brokers,
    sasl: { mechanism: 'scram-sha-512', username: settings.username, password: settings.password },
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

  const consumer = kafka.consumer({ groupId: settings.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: settings.topic, fromBeginning: true });
  const consumed = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumed ${consumed.length} of ${settings.count} in 60 s`)), 60000);
    consumer.run({
      eachMessage: async ({ message }) => {
        consumed.push(message.value.toString());
        if (consumed.length >= settings.count) {
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
  await admin.disconnect();
  console.log(JSON.stringify(out));
}

main().catch(e => {
  console.error(`kafkajs failed: ${e.name}: ${e.message}${e.type ? ` (${e.type})` : ''}`);
  process.exit(1);
});
