// The live page: one EventSource on /api/stream; "update" every second, "anomaly" as they happen.
// Plain DOM and SVG, no libraries. Data is only ever inserted as text, never as HTML.
(() => {
  'use strict';
  const svgNs = 'http://www.w3.org/2000/svg';
  const token = new URLSearchParams(location.search).get('access_token');
  const streamUrl = 'api/stream' + (token ? '?access_token=' + encodeURIComponent(token) : '');
  const numberFormat = new Intl.NumberFormat('en-US');
  const state = { window: '5m', update: null, anomalies: new Map(), shownPages: new Set() };

  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const svg = (tag, attrs) => {
    const node = document.createElementNS(svgNs, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  };
  const fmt = (n) => numberFormat.format(Math.round(n));
  const time = (iso) => new Date(iso).toISOString().substring(11, 19) + 'Z';
  // A .NET TimeSpan ("[d.]hh:mm:ss") in whole minutes.
  const minutes = (span) => {
    const [days, clock] = span.includes('.') && span.indexOf('.') < span.indexOf(':') ? span.split('.') : ['0', span];
    const [h, m] = clock.split(':').map(Number);
    return Number(days) * 1440 + h * 60 + m;
  };

  function setStatus(text, cls) {
    const s = $('status');
    s.textContent = text;
    s.className = 'status ' + cls;
  }

  function renderOverview(o) {
    if (!o) return;
    $('eps').textContent = o.eventsPerSecond.toFixed(o.eventsPerSecond < 10 ? 1 : 0);
    $('sessions').textContent = '≈ ' + fmt(o.activeSessions);
    $('sessions-hint').textContent = 'event in the last ' + minutes(o.activeSessionWindow) + ' min (estimate)';
    $('late').textContent = fmt(o.lateEvents);
    $('dead').textContent = fmt(o.deadLetteredEvents);
    $('silos').textContent = fmt(o.silos);
    renderChart(o.eventsPerSecondSeries || []);
  }

  function renderChart(series) {
    const chart = $('eps-chart');
    chart.replaceChildren();
    const w = 1000, h = 180, top = 14, bottom = 4;
    if (series.length < 2) return;
    const max = Math.max(1, ...series.map((p) => p.events));
    const x = (i) => (i / (series.length - 1)) * w;
    const y = (v) => h - bottom - (v / max) * (h - top - bottom);
    for (const f of [0.5, 1]) chart.append(svg('line', { class: 'grid', x1: 0, x2: w, y1: y(max * f), y2: y(max * f) }));
    const points = series.map((p, i) => `${x(i).toFixed(1)},${y(p.events).toFixed(1)}`);
    chart.append(svg('path', { class: 'area', d: `M0,${h - bottom} L${points.join(' L')} L${w},${h - bottom} Z` }));
    chart.append(svg('polyline', { class: 'line', points: points.join(' ') }));
    $('eps-range').textContent = `${time(series[0].second)} – ${time(series[series.length - 1].second)} · peak ${fmt(max)}/s`;
  }

  function sparkline(values) {
    const s = svg('svg', { class: 'spark', viewBox: '0 0 120 24', preserveAspectRatio: 'none' });
    if (!values || values.length < 2) return s;
    const max = Math.max(1, ...values);
    const points = values.map((v, i) => `${((i / (values.length - 1)) * 118 + 1).toFixed(1)},${(23 - (v / max) * 21).toFixed(1)}`);
    s.append(svg('polyline', { points: points.join(' ') }));
    return s;
  }

  function renderTopPages() {
    const u = state.update;
    const body = $('top-pages').tBodies[0];
    const rows = (u && u.topPages && u.topPages[state.window]) || [];
    body.replaceChildren();
    if (rows.length === 0) {
      const tr = el('tr', 'empty');
      const td = el('td', null, u && !u.connected ? 'Cluster unavailable.' : 'No traffic in this window yet.');
      td.colSpan = 5;
      tr.append(td);
      body.append(tr);
    }
    let approximate = false;
    rows.forEach((row, i) => {
      const tr = el('tr');
      tr.dataset.page = row.page;
      const key = state.window + ' ' + row.page;
      if (state.update && !state.shownPages.has(key)) tr.classList.add('fresh');
      state.shownPages.add(key);
      const mark = row.approximate ? '≈ ' : '';
      approximate ||= row.approximate;
      tr.append(el('td', null, String(i + 1)), el('td', 'page', row.page),
        el('td', 'num views', mark + fmt(row.views)), el('td', 'num visitors', mark + fmt(row.uniqueVisitors)));
      const spark = el('td');
      spark.append(sparkline(u.sparklines[row.page]));
      tr.append(spark);
      body.append(tr);
    });
    $('approx-note').hidden = !approximate;
  }

  function renderAnomalies() {
    const list = $('anomalies');
    const items = [...state.anomalies.values()].sort((a, b) => b.detectedAt.localeCompare(a.detectedAt)).slice(0, 50);
    list.replaceChildren();
    if (items.length === 0) {
      list.append(el('li', 'empty', 'No anomalies detected.'));
      return;
    }
    for (const a of items) {
      const li = el('li', `${a.direction} ${a.kind}`);
      li.dataset.incident = a.incidentId;
      const where = a.scope === 'site' ? 'whole site' : a.page;
      const verb = a.kind === 'ended' ? 'ended' : 'started';
      li.append(el('div', 'what', `${a.direction === 'spike' ? '▲ Spike' : '▼ Drop'} on ${where} ${verb}`));
      li.append(el('div', 'detail',
        `${fmt(a.observedRate)}/s vs baseline ${a.baselineMean.toFixed(1)} ± ${a.baselineStdDev.toFixed(1)} (z = ${a.zScore.toFixed(1)}) · since ${time(a.startedAt)} · detected ${time(a.detectedAt)}`));
      list.append(li);
    }
  }

  function remember(a) {
    state.anomalies.set(a.incidentId + '/' + a.kind, a);
  }

  for (const button of document.querySelectorAll('.tabs button')) {
    button.addEventListener('click', () => {
      state.window = button.dataset.window;
      for (const b of document.querySelectorAll('.tabs button')) b.classList.toggle('active', b === button);
      renderTopPages();
    });
  }

  const source = new EventSource(streamUrl);
  source.onopen = () => setStatus('live', 'live');
  source.onerror = () => setStatus('reconnecting…', 'down');
  source.addEventListener('update', (e) => {
    const u = JSON.parse(e.data);
    state.update = u;
    setStatus(u.connected ? 'live' : 'cluster unavailable', u.connected ? 'live' : 'down');
    $('as-of').textContent = 'as of ' + time(u.asOf);
    renderOverview(u.overview);
    renderTopPages();
    (u.anomalies || []).forEach(remember);
    renderAnomalies();
  });
  source.addEventListener('anomaly', (e) => {
    remember(JSON.parse(e.data));
    renderAnomalies();
  });
})();
