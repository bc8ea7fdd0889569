'use strict';
// BullMQ side of the Redis comparison: the workload of `ferry bench` (dev.ferry.bench.Bench),
// phase by phase, so the two can be run alternately against the same Redis
// (ferry-bench/peers/run-redis.sh). Producer and worker live in this one Node.js process, as
// producer and worker share one JVM in `ferry bench`. Every handler is a no-op; the payload is
// {"run":"bench","n":i}. Prints one JSON object (the field names of Ferry's report) on stdout,
// progress on stderr.
//
//   node bench.js [--host H] [--port P] [--db N] [--tasks N] [--concurrency N] [--producers N]
//   node bench.js --cost 1 ...   the cost model instead: Redis commands per job of each phase
//                                (CONFIG RESETSTAT before, INFO commandstats after; a private Redis)
//
// Phases (each on a fresh queue, removed afterwards):
//   0. warm-up: every path below once with tasks/5 tasks (at most 20,000), not reported
//   1. enqueue: `tasks` single queue.add() calls from `producers` async loops (each has one call in
//      flight, as each of Ferry's producer threads has), from release to the last reply
//   2. batch enqueue: the same number in queue.addBulk() batches of 1,000 over the same loops
//   3. drain: `tasks` jobs added beforehand (not timed); one Worker with `concurrency`, default
//      settings; from worker.run() until `tasks` 'completed' events were seen (each is emitted
//      after the job's move to completed returned); the queue must then count `tasks` completed
//   4. idle pickup latency: the worker idle; one job at a time, t0 just before queue.add(), the
//      processor's first line takes the time; then wait for its completion and pause 1-3 ms.
//      50 unrecorded warm-up samples, then min(1000, tasks) samples
const { Queue, Worker } = require('bullmq');
const IORedis = require('ioredis');

const BATCH = 1000;
const WARMUP_MAX = 20000;
const LATENCY_SAMPLES = 1000;
const LATENCY_WARMUP = 50;

function parseArgs(argv) {
  const o = { host: '127.0.0.1', port: 6379, db: 0, tasks: 100000, concurrency: 64, producers: 8, cost: 0 };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in o)) {
      throw new Error(`unknown option '${argv[i]}'`);
    }
    const value = argv[++i];
    if (value === undefined) {
      throw new Error(`--${name} needs a value`);
    }
    o[name] = name === 'host' ? value : Number.parseInt(value, 10);
    if (name !== 'host' && !(o[name] >= (name === 'db' || name === 'cost' ? 0 : 1))) {
      throw new Error(`--${name}: not a positive whole number: '${value}'`);
    }
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const connection = { host: opts.host, port: opts.port, db: opts.db, maxRetriesPerRequest: null };
const run = Math.random().toString(36).slice(2, 10);
const say = (msg) => process.stderr.write(`${msg}\n`);
const nowNs = () => process.hrtime.bigint();
const perSecond = (n, ns) => (n * 1e9) / Number(ns);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const job = (i) => ({ name: 'bench.noop', data: { run: 'bench', n: i } });

function newQueue(phase) {
  return new Queue(`bench-${phase}-${run}`, { connection });
}

async function removeQueue(queue) {
  await queue.obliterate({ force: true });
  await queue.close();
}

/** Runs body(loopIndex) on `producers` async loops at once; the nanoseconds until the last ends. */
async function onProducers(body) {
  const start = nowNs();
  await Promise.all(Array.from({ length: opts.producers }, (_, p) => body(p)));
  return nowNs() - start;
}

async function expectCount(queue, state, n) {
  const counts = await queue.getJobCounts(state);
  if (counts[state] !== n) {
    throw new Error(`queue ${queue.name} has ${counts[state]} ${state} jobs, expected ${n}`);
  }
}

async function enqueueOneByOne(queue, n) {
  let next = 0;
  const ns = await onProducers(async () => {
    for (let i = next++; i < n; i = next++) {
      const j = job(i);
      await queue.add(j.name, j.data);
    }
  });
  await expectCount(queue, 'wait', n);
  return perSecond(n, ns);
}

async function fill(queue, n) {
  const batches = Math.ceil(n / BATCH);
  let next = 0;
  return onProducers(async () => {
    for (let b = next++; b < batches; b = next++) {
      const jobs = [];
      for (let i = b * BATCH; i < Math.min(n, (b + 1) * BATCH); i++) {
        jobs.push(job(i));
      }
      await queue.addBulk(jobs);
    }
  });
}

async function enqueueBatched(queue, n) {
  const ns = await fill(queue, n);
  await expectCount(queue, 'wait', n);
  return perSecond(n, ns);
}

async function drain(queue, n) {
  await fill(queue, n);
  await expectCount(queue, 'wait', n);
  if (global.gc) {
    global.gc();
  }
  return runWorker(queue, n);
}

/** Runs the queue's n waiting jobs with a fresh Worker; jobs per second from worker.run(). */
async function runWorker(queue, n) {
  let completed = 0;
  let failed = 0;
  let resolveDone;
  const done = new Promise((resolve) => {
    resolveDone = resolve;
  });
  const worker = new Worker(queue.name, async () => null, { connection, concurrency: opts.concurrency, autorun: false });
  worker.on('completed', () => {
    if (++completed >= n) {
      resolveDone();
    }
  });
  worker.on('failed', () => {
    failed++;
  });
  await worker.waitUntilReady();
  const start = nowNs();
  const running = worker.run();
  await done;
  const ns = nowNs() - start;
  await worker.close();
  await running;
  if (failed > 0) {
    throw new Error(`${failed} jobs of ${queue.name} failed`);
  }
  await expectCount(queue, 'completed', n);
  return perSecond(n, ns);
}

function percentile(sorted, p) {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

async function pickupLatency(queue, samples) {
  const warmup = Math.min(LATENCY_WARMUP, samples);
  const total = warmup + samples;
  const startedAt = new Array(total);
  let onStart = null;
  let onComplete = null;
  const worker = new Worker(queue.name, async (j) => {
    startedAt[j.data.n] = nowNs();
    if (onStart) {
      onStart();
    }
    return null;
  }, { connection, concurrency: opts.concurrency });
  worker.on('completed', () => {
    if (onComplete) {
      onComplete();
    }
  });
  await worker.waitUntilReady();
  await sleep(100); // let the worker reach its blocking wait for work
  const values = [];
  for (let i = 0; i < total; i++) {
    const started = new Promise((resolve) => {
      onStart = resolve;
    });
    const completed = new Promise((resolve) => {
      onComplete = resolve;
    });
    const j = job(i);
    const t0 = nowNs();
    await queue.add(j.name, j.data);
    await started;
    if (i >= warmup) {
      values.push(Number(startedAt[i] - t0) / 1e6);
    }
    await completed;
    await sleep(1 + Math.floor(Math.random() * 3));
  }
  await worker.close();
  values.sort((a, b) => a - b);
  return values;
}

async function main() {
  const bullmqVersion = require('bullmq/package.json').version;
  say(`bullmq bench: bullmq ${bullmqVersion} on redis://${opts.host}:${opts.port}/${opts.db}; `
      + `${opts.tasks} tasks, concurrency ${opts.concurrency}, ${opts.producers} producers, node ${process.version}`);

  const w0 = nowNs();
  const warm = Math.max(1, Math.min(WARMUP_MAX, Math.floor(opts.tasks / 5)));
  let q = newQueue('warmup');
  await enqueueOneByOne(q, Math.floor(warm / 4));
  await removeQueue(q);
  q = newQueue('warmupbatch');
  await enqueueBatched(q, warm);
  await removeQueue(q);
  q = newQueue('warmupdrain');
  await drain(q, warm);
  await removeQueue(q);
  say(`[0/4] warm-up: ${warm} jobs (${(Number(nowNs() - w0) / 1e9).toFixed(1)} s, not counted)`);

  q = newQueue('enqueue');
  const enqueue = await enqueueOneByOne(q, opts.tasks);
  await removeQueue(q);
  say(`[1/4] enqueue one by one, ${opts.producers} producers: ${enqueue.toFixed(0)} jobs/s`);

  q = newQueue('batch');
  const batch = await enqueueBatched(q, opts.tasks);
  await removeQueue(q);
  say(`[2/4] enqueue in batches of ${BATCH}: ${batch.toFixed(0)} jobs/s`);

  q = newQueue('drain');
  const drained = await drain(q, opts.tasks);
  await removeQueue(q);
  say(`[3/4] drain with concurrency ${opts.concurrency}: ${drained.toFixed(0)} jobs/s`);

  q = newQueue('latency');
  const lat = await pickupLatency(q, Math.min(LATENCY_SAMPLES, opts.tasks));
  await removeQueue(q);
  const p50 = percentile(lat, 50);
  const p99 = percentile(lat, 99);
  const max = lat[lat.length - 1];
  say(`[4/4] idle pickup latency, ${lat.length} samples: p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms, max ${max.toFixed(3)} ms`);

  const round = (v, d) => Number(v.toFixed(d));
  process.stdout.write(`${JSON.stringify({
    peer: 'bullmq',
    broker: `redis://${opts.host}:${opts.port}/${opts.db}`,
    backend: `bullmq ${bullmqVersion}`,
    tasks: opts.tasks,
    concurrency: opts.concurrency,
    producers: opts.producers,
    enqueue_per_s: round(enqueue, 1),
    enqueue_batch_per_s: round(batch, 1),
    drain_per_s: round(drained, 1),
    latency_p50_ms: round(p50, 3),
    latency_p99_ms: round(p99, 3),
    latency_max_ms: round(max, 3),
    latency_samples: lat.length,
    node: process.version,
  })}\n`);
}

/** Commands (by name, scripts' inner commands included) and network bytes per job since the last reset. */
async function costReport(admin, phase, n) {
  const commandstats = await admin.info('commandstats');
  const stats = await admin.info('stats');
  const calls = {};
  let total = 0;
  for (const m of commandstats.matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+)/gm)) {
    if (m[1] === 'config|resetstat' || m[1] === 'info') {
      continue;
    }
    calls[m[1]] = Number((Number(m[2]) / n).toFixed(4));
    total += Number(m[2]);
  }
  const field = (name) => Number((new RegExp(`^${name}:(\\d+)`, 'm').exec(stats) || [0, 0])[1]);
  return JSON.stringify({
    phase,
    tasks: n,
    commands_per_task: Number((total / n).toFixed(3)),
    net_in_bytes_per_task: Math.round(field('total_net_input_bytes') / n),
    net_out_bytes_per_task: Math.round(field('total_net_output_bytes') / n),
    calls_per_task: calls,
  });
}

async function cost() {
  const admin = new IORedis(connection);
  const n = opts.tasks;
  let q = newQueue('costwarm');
  await drain(q, 2000);
  await removeQueue(q);

  q = newQueue('costone');
  await q.waitUntilReady();
  await admin.config('RESETSTAT');
  await enqueueOneByOne(q, n);
  process.stdout.write(`${await costReport(admin, 'enqueue one by one', n)}\n`);
  await removeQueue(q);

  q = newQueue('costbatch');
  await q.waitUntilReady();
  await admin.config('RESETSTAT');
  await fill(q, n);
  process.stdout.write(`${await costReport(admin, `enqueue in batches of ${BATCH}`, n)}\n`);
  await removeQueue(q);

  q = newQueue('costdrain');
  await fill(q, n);
  await admin.config('RESETSTAT');
  await runWorker(q, n);
  process.stdout.write(`${await costReport(admin, `drain, concurrency ${opts.concurrency}`, n)}\n`);
  await removeQueue(q);
  await admin.quit();
}

(opts.cost ? cost() : main()).then(() => process.exit(0), (e) => {
  say(`bullmq bench failed: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
