// KafkaJS against a broker: admin, idempotent gzip produce, group consume, committed offsets.
// Usage: node check.js HOST:PORT (after `npm ci` here). Prints "kafkajs OK N" and exits 0, or says
// what went wrong and exits 1. Run by ClientLibrariesIT.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { Kafka, CompressionTypes, logLevel } = require('kafkajs');

const RECORDS = 2000, PARTITIONS = 3, KEYS = 50, BATCH = 200;

async function main(bootstrap) {
  const topic = 'kjs-' + Math.random().toString(16).slice(2, 10);
  const groupId = 'g-' + topic;
  const kafka = new Kafka({ clientId: 'letterbox-check', brokers: [bootstrap], logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let first = 0; first < RECORDS; first += BATCH) {
    const messages = [];
    for (let i = first; i < first + BATCH; i++) messages.push({ key: 'k' + (i % KEYS), value: 'v' + i });
    await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages });
  }
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const byKey = {};
  let read = 0;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${read} of ${RECORDS} records in 60 s`)), 60000);
    consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key.toString();
        (byKey[key] = byKey[key] || []).push(Number(message.value.toString().slice(1)));
        if (++read === RECORDS) { clearTimeout(timer); resolve(); }
      },
    });
  });
  await consumer.disconnect();
  for (const [key, seqs] of Object.entries(byKey)) {
    if (seqs.some((s, i) => i > 0 && s < seqs[i - 1])) throw new Error(`key ${key} out of order`);
  }

  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
  if (committed !== RECORDS) throw new Error(`committed ${committed}`);
  const { groups } = await admin.describeGroups([groupId]);
  if (groups[0].state !== 'Empty') throw new Error(`group state ${groups[0].state} after the consumer left`);
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  console.log('kafkajs OK', read);
}

main(process.argv[2]).catch((e) => { console.error('kafkajs:', e); process.exit(1); });
