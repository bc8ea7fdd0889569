'use strict';
// Medians and ratios of a side-by-side run (run-redis.sh, run-postgres.sh).
//
//   node summarize.js DIR BASELINE
//
// DIR holds one JSON report per run named IMPL-ROUND.json (ferry-1.json, bullmq-1.json, ...);
// BASELINE is the implementation the others are compared with (ferry). Prints a Markdown table per
// metric group: every run's figure, the median, and Ferry's ratio to each peer twice: the ratio of
// the medians and the median of the per-round ratios (each round ran both back to back, so its
// ratio saw the same machine state).
const fs = require('fs');
const path = require('path');

const [dir, baseline] = process.argv.slice(2);
if (!dir || !baseline) {
  process.stderr.write('usage: node summarize.js DIR BASELINE\n');
  process.exit(2);
}

const METRICS = [
  ['enqueue_per_s', 'enqueue one by one (tasks/s)', 'higher'],
  ['enqueue_batch_per_s', 'enqueue in batches of 1000 (tasks/s)', 'higher'],
  ['drain_per_s', 'drain (tasks/s)', 'higher'],
  ['latency_p50_ms', 'idle pickup p50 (ms)', 'lower'],
  ['latency_p99_ms', 'idle pickup p99 (ms)', 'lower'],
  ['latency_max_ms', 'idle pickup max (ms)', 'lower'],
];

const runs = {}; // impl -> round -> report
for (const file of fs.readdirSync(dir).sort()) {
  const m = /^(.+)-(\d+)\.json$/.exec(file);
  if (!m) {
    continue;
  }
  const text = fs.readFileSync(path.join(dir, file), 'utf8').trim();
  if (!text) {
    continue;
  }
  const line = text.split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) {
    continue;
  }
  (runs[m[1]] = runs[m[1]] || {})[Number(m[2])] = JSON.parse(line);
}
if (!runs[baseline]) {
  process.stderr.write(`no ${baseline}-N.json reports in ${dir}\n`);
  process.exit(1);
}

const median = (values) => {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) {
    return NaN;
  }
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const fmt = (x, unit) => {
  if (!Number.isFinite(x)) {
    return '–';
  }
  if (unit === 'ms') {
    return x >= 100 ? x.toFixed(0) : x.toFixed(3);
  }
  return Math.round(x).toLocaleString('en-US');
};
const ratio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');

const impls = [baseline, ...Object.keys(runs).filter((k) => k !== baseline).sort()];
const rounds = [...new Set(impls.flatMap((i) => Object.keys(runs[i]).map(Number)))].sort((a, b) => a - b);
const summary = { rounds: rounds.length, medians: {}, ratios: {} };

const header = ['metric', 'implementation', ...rounds.map((r) => `run ${r}`), 'median'];
const peers = impls.filter((i) => i !== baseline);
for (const p of peers) {
  header.push(`Ferry ÷ ${p} (of medians)`, `Ferry ÷ ${p} (median of per-run)`);
}
const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
for (const [key, label, better] of METRICS) {
  const unit = key.endsWith('_ms') ? 'ms' : 'rate';
  for (const impl of impls) {
    const values = rounds.map((r) => (runs[impl][r] ? runs[impl][r][key] : NaN));
    const med = median(values);
    (summary.medians[impl] = summary.medians[impl] || {})[key] = med;
    const row = [impl === baseline ? label : '', impl, ...values.map((v) => fmt(v, unit)), `**${fmt(med, unit)}**`];
    for (const p of peers) {
      if (impl !== baseline) {
        row.push('', '');
        continue;
      }
      const peerValues = rounds.map((r) => (runs[p][r] ? runs[p][r][key] : NaN));
      const ofMedians = med / median(peerValues);
      const perRun = median(rounds.map((r, i) => values[i] / peerValues[i]));
      ((summary.ratios[p] = summary.ratios[p] || {}))[key] = { ofMedians, perRun, better };
      row.push(ratio(ofMedians), ratio(perRun));
    }
    lines.push(`| ${row.join(' | ')} |`);
  }
}
process.stdout.write(`${lines.join('\n')}\n\n`);
process.stdout.write('(ratios: above 1 means Ferry is faster for rates, slower for latencies)\n\n');
for (const impl of impls) {
  const any = Object.values(runs[impl])[0];
  process.stdout.write(`- ${impl}: ${any.backend || ''} ${any.node ? `node ${any.node}` : ''}${any.java ? `java ${any.java}` : ''}; `
      + `${any.tasks} tasks, concurrency ${any.concurrency}, ${any.producers} producers, ${any.latency_samples} latency samples\n`);
}
fs.writeFileSync(path.join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
