// charts.js draws the charts of the workplace's pages with Apache ECharts (static/echarts.min.js, loaded only on
// a page that has a chart). Each chart is an element with a data-chart attribute holding what to draw as JSON:
// {"kind": "bar" | "hbar" | "funnel" | "pie", "labels": [...], "series": [{"name": ..., "values": [...]}], "unit": ...}.
// The page shows the same figures in tables, so it reads the same without JavaScript. No inline script: the
// Content-Security-Policy forbids it.
(function () {
  'use strict';

  var palette = ['#0b5cad', '#f2b705', '#1f7a3d', '#a4260b', '#6b4fa3', '#2a9d8f', '#8aa0bb'];

  // load runs then once ECharts is there, loading it from /static the first time.
  function load(then) {
    if (window.echarts) {
      then();
      return;
    }
    var script = document.createElement('script');
    script.src = '/static/echarts.min.js';
    script.addEventListener('load', then);
    document.head.appendChild(script);
  }

  // option is the ECharts option of a chart's spec.
  function option(spec) {
    var base = {
      animation: false,
      color: palette,
      textStyle: { fontFamily: getComputedStyle(document.documentElement).fontFamily },
      tooltip: { renderMode: 'richText', trigger: spec.kind === 'bar' ? 'axis' : 'item' }
    };
    var first = spec.series[0] || { name: '', values: [] };
    if (spec.kind === 'funnel') {
      base.series = [{
        type: 'funnel', name: first.name, sort: 'none', gap: 2, left: '10%', width: '80%',
        label: { show: true, position: 'inside', formatter: '{b}: {c}' },
        data: spec.labels.map(function (l, i) { return { name: l, value: first.values[i] }; })
      }];
      return base;
    }
    if (spec.kind === 'pie') {
      var sum = first.values.reduce(function (a, b) { return a + b; }, 0);
      if (sum === 0) {
        base.title = { text: '—', left: 'center', top: 'middle' }; // nothing to share out: no slices
      }
      base.legend = { bottom: 0 };
      base.series = [{
        type: 'pie', name: first.name, radius: ['40%', '70%'], stillShowZeroSum: false,
        label: { show: sum > 0, formatter: '{b}: {c} ({d}%)' },
        data: spec.labels.map(function (l, i) { return { name: l, value: first.values[i] }; })
      }];
      return base;
    }
    // A bar chart; "hbar" lays its bars across, for long labels.
    var across = spec.kind === 'hbar';
    var category = { type: 'category', data: spec.labels, axisLabel: { interval: 0 } };
    var value = { type: 'value', name: spec.unit || '' };
    base.legend = spec.series.length > 1 ? { top: 0 } : undefined;
    base.grid = { left: across ? 32 : 8, right: 40, top: 36, bottom: 8, containLabel: true };
    base.xAxis = across ? value : category;
    base.yAxis = across ? Object.assign(category, { inverse: true }) : value;
    base.series = spec.series.map(function (s) {
      return { type: 'bar', name: s.name, data: s.values, barMaxWidth: 28, label: { show: true, position: across ? 'right' : 'top' } };
    });
    return base;
  }

  // draw draws the charts under root not drawn yet.
  function draw(root) {
    var elements = root.querySelectorAll('[data-chart]:not([data-drawn])');
    if (elements.length === 0) {
      return;
    }
    load(function () {
      elements.forEach(function (el) {
        el.setAttribute('data-drawn', '');
        var chart = window.echarts.init(el, null, { renderer: 'canvas' });
        chart.setOption(option(JSON.parse(el.getAttribute('data-chart'))));
        window.addEventListener('resize', function () { chart.resize(); });
      });
    });
  }

  document.addEventListener('DOMContentLoaded', function () { draw(document); });
  // Pages that htmx swaps in (the navigation is boosted) get their charts too.
  document.addEventListener('htmx:afterSettle', function (e) { draw(e.target); });
})();
