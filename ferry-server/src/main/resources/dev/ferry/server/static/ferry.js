/*
 * Ferry dashboard behaviour. Served as a file: the Content-Security-Policy forbids inline script.
 * Everything that comes from the API is put into the page with textContent or setAttribute,
 * never as markup, so task data cannot become script.
 */
(function () {
  'use strict';

  // Forms that destroy something ask first.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var question = form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) {
      e.preventDefault();
    }
  });

  // "Select all" on the dead set.
  var all = document.getElementById('select-all');
  if (all) {
    all.addEventListener('change', function () {
      document.querySelectorAll('input[type=checkbox][name=id]').forEach(function (box) { box.checked = all.checked; });
    });
  }

  function getJson(url) {
    return fetch(url, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) {
        if (!r.ok) { throw new Error(url + ': HTTP ' + r.status); }
        return r.json();
      });
  }

  function every(ms, fn) {
    var busy = false;
    function tick() {
      if (busy || document.hidden) { return; }
      busy = true;
      fn().catch(function (err) { console.warn('ferry: refresh failed', err); })
        .then(function () { busy = false; });
    }
    tick();
    return setInterval(tick, ms);
  }

  // ------------------------------------------------------------------ overview: live counts
  var STATES = ['scheduled', 'pending', 'active', 'retrying', 'waiting', 'completed', 'dead', 'cancelled'];
  var table = document.getElementById('queues');

  function cell(cls, field, text) {
    var td = document.createElement('td');
    if (cls) { td.className = cls; }
    td.setAttribute('data-field', field);
    td.textContent = text;
    return td;
  }

  function rowFor(tbody, name) {
    var rows = tbody.querySelectorAll('tr[data-queue]');
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute('data-queue') === name) { return rows[i]; }
    }
    var tr = document.createElement('tr');
    tr.setAttribute('data-queue', name);
    var first = document.createElement('td');
    var a = document.createElement('a');
    a.href = '/queues/' + encodeURIComponent(name);
    a.textContent = name;
    var badge = document.createElement('span');
    badge.className = 'badge paused';
    badge.setAttribute('data-field', 'paused');
    badge.textContent = 'paused';
    badge.hidden = true;
    first.appendChild(a);
    first.appendChild(document.createTextNode(' '));
    first.appendChild(badge);
    tr.appendChild(first);
    STATES.forEach(function (s) { tr.appendChild(cell('num', s, '0')); });
    tr.appendChild(cell('num', 'latency', '0.0s'));
    tr.appendChild(cell('num', 'throughput', '0.00'));
    tbody.appendChild(tr);
    var none = document.getElementById('no-queues');
    if (none) { none.remove(); }
    return tr;
  }

  function setCard(id, text) {
    var el = document.querySelector('[data-card="' + id + '"]');
    if (el) { el.textContent = text; }
  }

  if (table) {
    var tbody = table.querySelector('tbody');
    every(parseInt(table.getAttribute('data-interval'), 10) || 2000, function () {
      return getJson(table.getAttribute('data-poll')).then(function (data) {
        var depth = 0, dead = 0, rate = 0;
        data.queues.forEach(function (q) {
          var tr = rowFor(tbody, q.queue);
          STATES.forEach(function (s) {
            var td = tr.querySelector('[data-field="' + s + '"]');
            var v = String(q.counts[s]);
            if (td && td.textContent !== v) { td.textContent = v; }
          });
          tr.querySelector('[data-field="latency"]').textContent = q.oldestPendingAgeSeconds.toFixed(1) + 's';
          tr.querySelector('[data-field="throughput"]').textContent = q.throughput['1m'].perSecond.toFixed(2);
          tr.querySelector('[data-field="paused"]').hidden = !q.paused;
          depth += q.depth;
          dead += q.counts.dead;
          rate += q.throughput['1m'].perSecond;
        });
        setCard('depth', String(depth));
        setCard('dead', String(dead));
        setCard('throughput', rate.toFixed(2));
        table.setAttribute('data-updated', data.at);
      });
    });
  }

  // ------------------------------------------------------------------ overview: charts (uPlot)
  var charts = document.getElementById('charts');
  var PALETTE = ['#2459d6', '#1f8a4c', '#c0362c', '#b7791f', '#7a3fc2', '#0e8a8a', '#c2417a', '#5b6472'];
  var MAX_SERIES = PALETTE.length;

  function drawCharts(data) {
    var names = Object.keys(data.queues).slice(0, MAX_SERIES);
    var key = names.join('\u0000');
    charts.querySelectorAll('.chart').forEach(function (el) {
      var metric = el.getAttribute('data-metric');
      var rows = [data.t];
      names.forEach(function (n) { rows.push(data.queues[n][metric]); });
      if (el._plot && el._key === key) {
        el._plot.setData(rows);
        return;
      }
      if (el._plot) { el._plot.destroy(); }
      var series = [{}];
      names.forEach(function (n, i) {
        series.push({ label: n, stroke: PALETTE[i % PALETTE.length], width: 1.5, points: { show: false } });
      });
      var width = Math.max(240, el.clientWidth || 300);
      el._plot = new window.uPlot({
        width: width, height: 170, series: series,
        scales: { x: { time: true } },
        axes: [{ stroke: '#667085' }, { stroke: '#667085', size: 48 }],
        legend: { show: names.length > 0, live: false }
      }, rows, el);
      el._key = key;
    });
    charts.setAttribute('data-drawn', String(data.t.length));
  }

  if (charts && window.uPlot) {
    every(parseInt(charts.getAttribute('data-interval'), 10) || 2000, function () {
      return getJson(charts.getAttribute('data-series')).then(drawCharts);
    });
    window.addEventListener('resize', function () {
      charts.querySelectorAll('.chart').forEach(function (el) {
        if (el._plot) { el._plot.setSize({ width: Math.max(240, el.clientWidth), height: 170 }); }
      });
    });
  }
})();
