// librdkafka (the version node-rdkafka builds from the source it ships) through the gateway, for LibrdkafkaIT.
// usage: node librdkafka.js '<json settings>'; prints one JSON object with what happened, or exits 1 with the error.
//   settings: brokers ("host:port"); security: librdkafka properties for TLS and the login (security.protocol,
//             sasl.*, ssl.ca.location); token (optional): an OAUTHBEARER token given to every client;
//             then either
//               topic, deniedTopic, count: count records for each codec (none, gzip, snappy, lz4, zstd) to topic,
//               one to deniedTopic; groups: [{id, protocol}], consumers ("classic" or "consumer", KIP-848) that
//               each read topic from the start until they have every record
//               transactionalId (optional): then one committed and one aborted transaction of five records each
//             or
//               topic, steadySeconds: one producer sends a record every 200 ms for that long, each awaited
//             or
//               topic, groupId, progressFile, stopFile: a producer sends a record every 5 ms and a consumer group
//               member reads them, writing {acked, consumed} to progressFile every 200 ms, until stopFile exists;
//               then every acknowledged record must arrive (at most 60 s more)
'use strict';
const fs = require('fs');
const Kafka = require('node-rdkafka');

const settings = JSON.parse(process.argv[2]);
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

function conf(more) {
  return Object.assign({ 'bootstrap.servers': settings.brokers, 'client.id': 'warden-librdkafka' },
    settings.security || {}, more);
}

function withToken(client) {
  if (settings.token) {
    client.setOauthBearerToken(settings.token);
  }
  return client;
}

function connect(client) {
  return new Promise((resolve, reject) => client.connect({ timeout: 15000 }, err => (err ? reject(err) : resolve(client))));
}

function disconnect(client) {
  return new Promise(resolve => client.disconnect(() => resolve()));
}

function metadata(client) {
  return new Promise((resolve, reject) =>
    client.getMetadata({ timeout: 15000 }, (err, md) => (err ? reject(err) : resolve(md))));
}

// A producer whose sends resolve with their delivery report.
async function producer(more) {
  const p = withToken(new Kafka.Producer(conf(Object.assign({ dr_cb: true, acks: 'all',
    'message.timeout.ms': 15000 }, more))));
  const pending = new Map();
  let next = 0;
  p.on('delivery-report', (err, report) => {
    const settle = pending.get(report.opaque);
    pending.delete(report.opaque);
    // node-rdkafka gives a delivery report's error code as -1; its message is librdkafka's text for the error
    settle(err ? { error: err.message } : { offset: report.offset });
  });
  await connect(p);
  p.setPollInterval(20);
  p.send = (topic, value) => new Promise(resolve => {
    const id = next++;
    pending.set(id, resolve);
    p.produce(topic, null, Buffer.from(value), null, null, id);
  });
  return p;
}

async function produceEveryCodec(out) {
  out.produced = 0;
  out.deliveryErrors = [];
  for (const codec of CODECS) {
    const p = await producer({ 'compression.codec': codec, 'linger.ms': 5 });
    if (codec === 'none') {
      const md = await metadata(p);
      out.brokers = md.brokers.map(b => `${b.host}:${b.port}`);
      out.topics = md.topics.map(t => t.name).filter(n => !n.startsWith('__')).sort();
      out.denied = (await p.send(settings.deniedTopic, 'not allowed')).error || 'none';
    }
    const sends = [];
    for (let i = 0; i < settings.count; i++) {
      sends.push(p.send(settings.topic, `${codec}-${i}`));
    }
    for (const result of await Promise.all(sends)) {
      if (result.error) {
        out.deliveryErrors.push(`${codec}: ${result.error}`);
      } else {
        out.produced++;
      }
    }
    await disconnect(p);
  }
}

// One committed and one aborted transaction, of five records each ("committed-<i>", "aborted-<i>").
async function transactions(out) {
  const p = await producer({ 'transactional.id': settings.transactionalId });
  const call = (method, ...args) => new Promise((resolve, reject) =>
    p[method](...args, err => (err ? reject(err) : resolve())));
  await call('initTransactions', 15000);
  for (const outcome of ['committed', 'aborted']) {
    await call('beginTransaction');
    const sends = [0, 1, 2, 3, 4].map(i => p.send(settings.topic, `${outcome}-${i}`));
    for (const result of await Promise.all(sends)) {
      if (result.error) {
        out.deliveryErrors.push(`${outcome}: ${result.error}`);
      }
    }
    await call(outcome === 'committed' ? 'commitTransaction' : 'abortTransaction', 15000);
  }
  await disconnect(p);
  out.transactions = 'done';
}

async function consumeAll(group, expected) {
  const consumer = withToken(new Kafka.KafkaConsumer(conf({ 'group.id': group.id, 'group.protocol': group.protocol,
    'enable.auto.commit': false }), { 'auto.offset.reset': 'earliest' }));
  const errors = [];
  consumer.on('event.error', e => errors.push(e.message));
  await connect(consumer);
  consumer.subscribe([settings.topic]);
  const values = [];
  const deadline = Date.now() + 60000;
  while (values.length < expected && Date.now() < deadline) {
    const batch = await new Promise(resolve => consumer.consume(100, (err, messages) => resolve(err ? [] : messages)));
    for (const m of batch) {
      values.push(m.value.toString());
    }
  }
  consumer.commitSync(null);
  const assignment = consumer.assignments().map(a => a.partition).sort();
  await disconnect(consumer);
  return { values, assignment, errors };
}

async function steady(out) {
  const p = await producer({ 'linger.ms': 0 });
  const errors = [];
  p.on('event.error', e => errors.push(e.message));
  out.sent = 0;
  out.delivered = 0;
  out.failures = [];
  const end = Date.now() + settings.steadySeconds * 1000;
  while (Date.now() < end) {
    const result = await p.send(settings.topic, `steady-${out.sent++}`);
    if (result.error) {
      out.failures.push(result.error);
    } else {
      out.delivered++;
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  out.clientErrors = errors;
  await disconnect(p);
}

// Produces and consumes side by side until told to stop, while the test stops and restarts a broker.
async function untilStopped(out) {
  const p = await producer({ 'linger.ms': 5, 'message.timeout.ms': 120000, 'request.timeout.ms': 10000 });
  const consumer = new Kafka.KafkaConsumer(conf({ 'group.id': settings.groupId }), { 'auto.offset.reset': 'earliest' });
  const clientErrors = [];
  p.on('event.error', e => clientErrors.push(`producer: ${e.message}`));
  consumer.on('event.error', e => clientErrors.push(`consumer: ${e.message}`));
  await connect(consumer);
  consumer.subscribe([settings.topic]);
  const acked = new Set();
  const consumed = new Set();
  const failures = [];
  const sends = [];
  let consuming = true;
  const consumeLoop = (async () => {
    while (consuming) {
      const batch = await new Promise(resolve => consumer.consume(100, (err, messages) => resolve(err ? [] : messages)));
      batch.forEach(m => consumed.add(m.value.toString()));
    }
  })();
  // Written beside the file and renamed into place, so that a reader never sees it half written.
  const progress = setInterval(() => {
    fs.writeFileSync(settings.progressFile + '.next', JSON.stringify({ acked: acked.size, consumed: consumed.size }));
    fs.renameSync(settings.progressFile + '.next', settings.progressFile);
  }, 200);
  for (let i = 0; !fs.existsSync(settings.stopFile); i++) {
    const value = `r-${i}`;
    sends.push(p.send(settings.topic, value).then(result => {
      if (result.error) {
        failures.push(result.error);
      } else {
        acked.add(value);
      }
    }));
    await new Promise(resolve => setTimeout(resolve, 5));
  }
  await Promise.all(sends);
  const deadline = Date.now() + 60000;
  while ([...acked].some(v => !consumed.has(v)) && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  consuming = false;
  await consumeLoop;
  clearInterval(progress);
  out.sent = sends.length;
  out.acked = acked.size;
  out.consumed = consumed.size;
  out.missing = [...acked].filter(v => !consumed.has(v)).slice(0, 10);
  out.failures = failures.slice(0, 10);
  out.clientErrors = clientErrors;
  await disconnect(p);
  await disconnect(consumer);
}

async function main() {
  const out = { librdkafka: Kafka.librdkafkaVersion, features: Kafka.features };
  if (settings.stopFile) {
    await untilStopped(out);
  } else if (settings.steadySeconds) {
    await steady(out);
  } else {
    await produceEveryCodec(out);
    let expected = out.produced;
    if (settings.transactionalId) {
      await transactions(out);
      expected += 5; // consumers read committed records only, librdkafka's default
    }
    out.consumed = {};
    for (const group of settings.groups) {
      out.consumed[group.protocol] = await consumeAll(group, expected);
    }
  }
  console.log(JSON.stringify(out));
}

main().then(() => process.exit(0), e => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
