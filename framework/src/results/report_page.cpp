// The report page's own script and style, inlined into every report. The script only arranges the data for
// Chart.js (which draws every chart) and inserts Graphviz's SVG drawings.

#include "results/report_page.hpp"

namespace structlab::results::detail {

const char* report_page_style() {
  return R"CSS(body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1em 2em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.8em; }
h3 { font-size: 1.05em; margin-bottom: 0.3em; }
.note { color: #555; font-size: 0.9em; } .warning { color: #a33; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
table { border-collapse: collapse; font-size: 0.85em; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.5em; text-align: left; }
th { cursor: pointer; background: #f0f0f0; user-select: none; } td.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.status-failed td, tr.status-partial td, tr.status-interrupted td { color: #a33; }
.chart { position: relative; width: 100%; }
.drawings { display: flex; gap: 1em; flex-wrap: wrap; }
.drawings figure { flex: 1 1 45%; margin: 0; min-width: 300px; }
.drawings .svg svg { width: 100%; height: auto; max-height: 480px; }
)CSS";
}

const char* report_error_capture_script() {
  return R"JS(window.structlabErrors = [];
(function () {
  function record(text) {
    window.structlabErrors.push(String(text));
    document.documentElement.setAttribute('data-errors', JSON.stringify(window.structlabErrors));
  }
  window.addEventListener('error', function (e) { record(e.message || e); });
  window.addEventListener('unhandledrejection', function (e) { record('unhandled rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) { record('blocked request: ' + e.blockedURI); });
  var original = console.error;
  console.error = function () { record(Array.prototype.join.call(arguments, ' ')); original.apply(console, arguments); };
})();
)JS";
}

const char* report_page_script() {
  return R"JS((function () {
  'use strict';
  const data = JSON.parse(document.getElementById('structlab-data').textContent);
  const rendered = {charts: {}, drawings: {}, tables: {}};
  const palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7',
                   '#9c755f', '#bab0ac'];
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';
  Chart.defaults.maintainAspectRatio = false;

  function el(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (key === 'text') node.textContent = value; else node.setAttribute(key, value);
    }
    for (const child of children || []) node.appendChild(child);
    return node;
  }
  function section(title, note) {
    const node = el('section', {}, [el('h2', {text: title})]);
    if (note) node.appendChild(el('p', {class: 'note', text: note}));
    document.getElementById('content').appendChild(node);
    return node;
  }
  function colour(i, alpha) {
    const hex = palette[i % palette.length];
    if (alpha === undefined) return hex;
    const a = Math.round(alpha * 255).toString(16).padStart(2, '0');
    return hex + a;
  }
  function mean(values) { return values.reduce((a, b) => a + b, 0) / values.length; }
  function finite(value) { return typeof value === 'number' && isFinite(value); }
  function format(value, digits) {
    if (value === null || value === undefined) return '';
    if (typeof value !== 'number') return String(value);
    return Number.isInteger(value) ? String(value) : value.toFixed(digits === undefined ? 4 : digits);
  }
  // One canvas and one Chart.js chart; what it drew is recorded for the browser test.
  function chart(parent, id, title, config, height) {
    const box = el('div', {class: 'chart', style: 'height:' + (height || 320) + 'px'});
    const canvas = el('canvas', {id: id, role: 'img', 'aria-label': title});
    box.appendChild(canvas);
    parent.appendChild(el('h3', {text: title}));
    parent.appendChild(box);
    const instance = new Chart(canvas, config);
    rendered.charts[id] = {
      type: config.type,
      title: title,
      datasets: instance.data.datasets.map((dataset, i) => ({
        label: dataset.label,
        role: dataset.role || 'data',
        points: instance.getDatasetMeta(i).data.length,
      })),
    };
    return instance;
  }
  // the run's result: its last stage that is not a lottery-ticket control
  function lastStage(run) {
    const own = run.stages.filter((st) => !st.series || st.series === 'ticket');
    const stages = own.length ? own : run.stages;
    return stages.length ? stages[stages.length - 1] : null;
  }
  function finalAccuracy(run) { const s = lastStage(run); return s ? s.test_accuracy : null; }
  function slug(text) { return String(text).replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x'; }

  const experiments = data.experiments;
  function runsOf(experiment) { return data.runs.filter((run) => run.experiment === experiment.name); }
  // configurations of an experiment: its grid points without the seed, in first-seen order
  function configsOf(experiment) {
    const configs = new Map();
    for (const run of runsOf(experiment)) {
      if (!configs.has(run.config)) configs.set(run.config, []);
      configs.get(run.config).push(run);
    }
    return Array.from(configs.entries()).map(([name, runs]) => ({name: name || experiment.name, runs: runs}));
  }

  // 1. experiments, runs, failures -------------------------------------------------------------------------
  function experimentSection() {
    const node = section('Experiments');
    for (const experiment of experiments) {
      node.appendChild(el('h3', {text: experiment.name + ' (' + experiment.runs + ' runs)'}));
      const axes = Object.entries(experiment.grid);
      if (axes.length) {
        node.appendChild(el('p', {text: 'Grid: ' + axes.map(([k, v]) => k + ' \u2208 {' + v.join(', ') + '}').join('; ')}));
      }
      const details = el('details', {open: ''}, [el('summary', {text: 'spec (first run)'}), el('pre', {text: experiment.spec})]);
      node.appendChild(details);
    }
  }
  function runTable() {
    const node = section('Runs', 'Click a column heading to sort.');
    const columns = [
      ['run', (r) => r.run_id], ['experiment', (r) => r.experiment], ['configuration', (r) => r.config],
      ['seed', (r) => r.seed], ['status', (r) => r.status], ['stages', (r) => r.stages.length],
      ['final accuracy', finalAccuracy], ['final density', (r) => (lastStage(r) || {}).density],
      ['seconds', (r) => r.seconds],
    ];
    const table = el('table', {id: 'runs-table', class: 'sortable'});
    const head = el('tr');
    const body = el('tbody');
    let order = {column: -1, ascending: true};
    function fill(runs) {
      body.textContent = '';
      for (const run of runs) {
        const row = el('tr', {class: 'status-' + run.status});
        for (const [, value] of columns) {
          const v = value(run);
          row.appendChild(el('td', {text: format(v), class: typeof v === 'number' ? 'number' : ''}));
        }
        body.appendChild(row);
      }
    }
    columns.forEach(([name, value], index) => {
      const th = el('th', {text: name, title: 'sort by ' + name});
      th.addEventListener('click', () => {
        order = {column: index, ascending: order.column === index ? !order.ascending : true};
        const sorted = data.runs.slice().sort((a, b) => {
          const x = value(a), y = value(b);
          if (x === y) return 0;
          if (x === null || x === undefined) return 1;
          if (y === null || y === undefined) return -1;
          const less = typeof x === 'number' && typeof y === 'number' ? x < y : String(x) < String(y);
          return (less ? -1 : 1) * (order.ascending ? 1 : -1);
        });
        fill(sorted);
      });
      head.appendChild(th);
    });
    table.appendChild(el('thead', {}, [head]));
    table.appendChild(body);
    fill(data.runs);
    node.appendChild(table);
    rendered.tables['runs-table'] = data.runs.length;
    const failures = data.runs.filter((run) => run.status !== 'completed');
    const list = el('ul', {id: 'failures'});
    for (const run of failures) {
      list.appendChild(el('li', {}, [el('strong', {text: run.run_id + ' \u2014 ' + run.status + ': '}),
                                     el('span', {text: run.message || '(no message)'})]));
    }
    node.appendChild(el('h3', {text: failures.length ? 'Runs that did not complete' : 'Every run completed'}));
    if (failures.length) node.appendChild(list);
    rendered.tables.failures = failures.length;
    for (const warning of data.warnings) node.appendChild(el('p', {class: 'warning', text: 'skipped ' + warning}));
  }

  // 2. accuracy vs density ------------------------------------------------------------------------------------
  function accuracyVsDensity() {
    let node = null;
    for (const experiment of experiments) {
      const configs = configsOf(experiment);
      const pruned = configs.some((c) => c.runs.some((r) => r.stages.length > 1));
      if (!pruned) continue;
      if (!node) node = section('Accuracy vs density', 'Mean over seeds; the band spans the minimum and maximum across seeds. Density on a log scale, 100% at the left.');
      const datasets = [];
      let curve = 0;
      configs.forEach((config) => {
        // a run with lottery-ticket controls trains several curves side by side (stage.series); the stages of no
        // series (the dense start) begin every curve
        const named = [...new Set(config.runs.flatMap((r) => r.stages.map((st) => st.series || '')))].filter((n) => n);
        (named.length ? named : ['']).forEach((series, k) => {
          const c = curve++;
          const picked = config.runs.map((r) => r.stages.filter((st) => !st.series || st.series === series));
          const stageCount = Math.max(...picked.map((p) => p.length));
          const mean_points = [], low = [], high = [];
          for (let s = 0; s < stageCount; ++s) {
            const stages = picked.map((p) => p[s]).filter((st) => st && finite(st.density) && finite(st.test_accuracy));
            if (!stages.length) continue;
            const x = 100 * mean(stages.map((st) => st.density));
            const ys = stages.map((st) => st.test_accuracy);
            mean_points.push({x: x, y: mean(ys)});
            low.push({x: x, y: Math.min(...ys)});
            high.push({x: x, y: Math.max(...ys)});
          }
          if (!mean_points.length) return;
          const name = config.name + (series ? ' ' + series : '');
          const seeds = config.runs.filter((r) => r.stages.length).length;
          if (seeds > 1) {
            datasets.push({label: name + ' (min)', role: 'band', data: low, borderWidth: 0, pointRadius: 0, fill: false, backgroundColor: colour(c, 0.2)});
            datasets.push({label: name + ' (max)', role: 'band', data: high, borderWidth: 0, pointRadius: 0, fill: '-1', backgroundColor: colour(c, 0.2)});
          }
          datasets.push({label: name + (seeds > 1 ? ' (mean of ' + seeds + ' seeds)' : ''), role: 'mean', data: mean_points,
                         borderColor: colour(c), backgroundColor: colour(c), borderDash: k ? [6, 3] : [], showLine: true, pointRadius: 3});
        });
      });
      chart(node, 'accuracy-density-' + slug(experiment.name), experiment.name + ': test accuracy vs density', {
        type: 'scatter',
        data: {datasets: datasets},
        options: {
          scales: {
            x: {type: 'logarithmic', reverse: true, title: {display: true, text: 'density (% of weights active, log scale)'},
                ticks: {callback: (v) => (v >= 1 ? String(Math.round(v * 10) / 10) : Number(v).toPrecision(1)) + '%'}},
            y: {title: {display: true, text: 'test accuracy'}},
          },
          plugins: {legend: {labels: {filter: (item, chartData) => chartData.datasets[item.datasetIndex].role !== 'band'}}},
        },
      }, 360);
    }
  }

  // 3. training curves ------------------------------------------------------------------------------------------
  function trainingCurves() {
    let node = null;
    for (const experiment of experiments) {
      const configs = configsOf(experiment).filter((c) => c.runs.some((r) => r.history.epoch.length));
      if (!configs.length) continue;
      if (!node) node = section('Training curves', 'Per epoch, stages one after another (mean over seeds); the x axis counts epochs across stages.');
      for (const [metric, label] of [['test_accuracy', 'test accuracy'], ['test_loss', 'test loss']]) {
        const datasets = configs.map((config, c) => {
          const length = Math.max(...config.runs.map((r) => r.history.epoch.length));
          const points = [];
          for (let i = 0; i < length; ++i) {
            const values = config.runs.map((r) => r.history[metric][i]).filter(finite);
            if (!values.length) continue;
            const run = config.runs.find((r) => i < r.history.epoch.length);
            points.push({x: i + 1, y: mean(values), stage: run.history.stage[i], epoch: run.history.epoch[i]});
          }
          return {label: config.name, data: points, borderColor: colour(c), backgroundColor: colour(c), showLine: true, pointRadius: 2};
        });
        if (!datasets.some((d) => d.data.length)) continue;
        chart(node, 'curve-' + metric + '-' + slug(experiment.name), experiment.name + ': ' + label + ' per epoch', {
          type: 'scatter',
          data: {datasets: datasets},
          options: {
            scales: {x: {title: {display: true, text: 'epoch (all stages)'}, ticks: {precision: 0}}, y: {title: {display: true, text: label}}},
            plugins: {tooltip: {callbacks: {label: (ctx) => ctx.dataset.label + ': stage ' + ctx.raw.stage + ' epoch ' + ctx.raw.epoch + ': ' + format(ctx.raw.y)}}},
          },
        });
      }
    }
  }

  // 4. per-layer density per stage ------------------------------------------------------------------------------
  function layerDensity() {
    let node = null;
    for (const experiment of experiments) {
      for (const config of configsOf(experiment).slice(0, 6)) {
        const runs = config.runs.filter((r) => r.stages.length > 1 && r.stages[0].layers.length);
        if (!runs.length) continue;
        if (!node) node = section('Per-layer density per stage', 'Fraction of each masked layer\u2019s weights still active, mean over seeds (at most six configurations per experiment).');
        const layers = runs[0].stages[0].layers.map((l) => l.name);
        const stageCount = Math.max(...runs.map((r) => r.stages.length));
        const datasets = [];
        for (let s = 0; s < stageCount; ++s) {
          const values = layers.map((name) => {
            const ds = runs.map((r) => r.stages[s]).filter(Boolean).map((st) => (st.layers.find((l) => l.name === name) || {}).density).filter(finite);
            return ds.length ? mean(ds) : null;
          });
          datasets.push({label: 'stage ' + s, data: values, backgroundColor: colour(s)});
        }
        chart(node, 'layer-density-' + slug(experiment.name + '-' + config.name), experiment.name + ' ' + config.name + ': density per layer', {
          type: 'bar',
          data: {labels: layers, datasets: datasets},
          options: {scales: {y: {min: 0, max: 1, title: {display: true, text: 'active fraction'}}}},
        });
      }
    }
  }

  // 5. structure sweeps: accuracy against structure metrics, heat map over two grid axes -------------------------
  const structureMetrics = [['average_clustering', 'clustering C'], ['average_shortest_path_length', 'average path length L'],
                            ['density', 'structure density'], ['layers', 'layers']];
  function structureSweeps() {
    let node = null;
    for (const experiment of experiments) {
      const runs = runsOf(experiment).filter((r) => finite(finalAccuracy(r)));
      for (const [metric, label] of structureMetrics) {
        const points = runs.filter((r) => finite(r.graph[metric])).map((r) => ({x: r.graph[metric], y: finalAccuracy(r), run: r.run_id}));
        if (new Set(points.map((p) => p.x)).size < 2) continue;
        if (!node) node = section('Structure sweeps', 'Final test accuracy (last stage) of each run against its structure\u2019s metrics.');
        chart(node, 'structure-' + metric + '-' + slug(experiment.name), experiment.name + ': final accuracy vs ' + label, {
          type: 'scatter',
          data: {datasets: [{label: 'runs', data: points, backgroundColor: colour(0, 0.8), pointRadius: 4}]},
          options: {scales: {x: {title: {display: true, text: label}}, y: {title: {display: true, text: 'final test accuracy'}}},
                    plugins: {legend: {display: false}}},
        }, 280);
      }
      // a structure sample (graph2nn's sweep): one heat map over binned C x L per configuration of the other keys
      if (Object.keys(experiment.grid).some((key) => key.endsWith('graph_seed'))) {
        const configurations = new Map();
        for (const r of runs) {
          const rest = Object.entries(r.grid).filter(([key]) => !key.startsWith('structure.')).map(([key, value]) => key + '=' + value).join(', ');
          if (!configurations.has(rest)) configurations.set(rest, []);
          configurations.get(rest).push(r);
        }
        for (const [rest, configurationRuns] of configurations) {
          const byMeasures = binnedMeasureCells(configurationRuns);
          if (!byMeasures) continue;
          if (!node) node = section('Structure sweeps');
          heatmap(node, 'heatmap-measures-' + slug(experiment.name + (rest ? '-' + rest : '')),
                  experiment.name + (rest ? ' (' + rest + ')' : '') + ': mean final accuracy over binned clustering C \u00d7 path length L',
                  byMeasures.xs, byMeasures.ys, byMeasures.cells, 'clustering C (bin centre)', 'average path length L (bin centre)');
        }
      }
      // a sample's drawn parameters and graph seeds take a new value in every run: no grid to draw over
      if (Object.keys(experiment.grid).some((key) => key.endsWith('graph_seed'))) continue;
      const numericAxes = Object.entries(experiment.grid).filter(([, values]) => values.length > 1 && values.every((v) => typeof v === 'number'));
      if (numericAxes.length < 2) continue;
      if (!node) node = section('Structure sweeps');
      const [xKey, xValues] = numericAxes[0];
      const [yKey, yValues] = numericAxes[1];
      const xs = xValues.slice().sort((a, b) => a - b), ys = yValues.slice().sort((a, b) => a - b);
      const cells = [];
      for (const x of xs) {
        for (const y of ys) {
          const values = runs.filter((r) => r.grid[xKey] === x && r.grid[yKey] === y).map(finalAccuracy);
          if (values.length) cells.push({x: String(x), y: String(y), v: mean(values), n: values.length});
        }
      }
      heatmap(node, 'heatmap-' + slug(experiment.name), experiment.name + ': mean final accuracy over ' + xKey + ' \u00d7 ' + yKey,
              xs.map(String), ys.map(String), cells, xKey, yKey);
    }
  }

  // Mean final accuracy in bins of C (x) and L (y) when the runs' graphs take at least 4 values of each: up to 8
  // equal bins per measure between the smallest and largest value, keyed by bin index, labelled by bin centre.
  function binnedMeasureCells(runs) {
    const measured = runs.filter((r) => finite(r.graph.average_clustering) && finite(r.graph.average_shortest_path_length));
    const cs = measured.map((r) => r.graph.average_clustering), ls = measured.map((r) => r.graph.average_shortest_path_length);
    const distinctC = new Set(cs).size, distinctL = new Set(ls).size;
    if (distinctC < 4 || distinctL < 4) return null;
    const axis = (values, distinct) => {
      const low = Math.min(...values), high = Math.max(...values), count = Math.min(8, distinct);
      const width = (high - low) / count;
      // bin i is labelled by its centre, made unique should two centres print alike
      const labels = Array.from({length: count}, (_, i) => format(low + (i + 0.5) * width, 3) + (i > 0 && format(low + (i - 0.5) * width, 3) === format(low + (i + 0.5) * width, 3) ? ' #' + i : ''));
      return {bin: (v) => Math.min(count - 1, Math.floor((v - low) / width)), labels: labels};
    };
    const x = axis(cs, distinctC), y = axis(ls, distinctL);
    const groups = new Map();
    for (const r of measured) {
      const key = x.bin(r.graph.average_clustering) * 1000 + y.bin(r.graph.average_shortest_path_length);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(finalAccuracy(r));
    }
    const cells = [...groups.entries()].map(([key, values]) => ({x: x.labels[Math.floor(key / 1000)], y: y.labels[key % 1000], v: mean(values), n: values.length}));
    return {xs: x.labels, ys: y.labels, cells: cells};
  }

  // A heat map of cells {x, y, v, n} on category axes, from dark blue (lowest v) to yellow (highest).
  function heatmap(node, id, title, xs, ys, cells, xTitle, yTitle) {
    const low = Math.min(...cells.map((c) => c.v)), high = Math.max(...cells.map((c) => c.v));
    const shade = (v) => {
      const t = high > low ? (v - low) / (high - low) : 1;
      const from = [37, 52, 148], to = [253, 231, 37];
      return 'rgb(' + from.map((f, i) => Math.round(f + t * (to[i] - f))).join(',') + ')';
    };
    const size = Math.max(6, Math.min(220 / xs.length, 140 / ys.length));
    chart(node, id, title + ' (dark ' + format(low, 3) + ' \u2192 yellow ' + format(high, 3) + ')', {
      type: 'scatter',
      data: {datasets: [{label: 'mean final accuracy', data: cells, pointStyle: 'rect', pointRadius: size, pointHoverRadius: size,
                         backgroundColor: cells.map((c) => shade(c.v)), borderWidth: 0}]},
      options: {
        scales: {x: {type: 'category', labels: xs, offset: true, title: {display: true, text: xTitle}},
                 y: {type: 'category', labels: ys.slice().reverse(), offset: true, title: {display: true, text: yTitle}}},
        plugins: {legend: {display: false},
                  tooltip: {callbacks: {label: (ctx) => xTitle + '=' + ctx.raw.x + ', ' + yTitle + '=' + ctx.raw.y + ': ' + format(ctx.raw.v) + ' (' + ctx.raw.n + ' runs)'}}},
      },
    }, 360);
  }

  // 6. structure drawings -----------------------------------------------------------------------------------------
  function drawings() {
    if (!data.drawings.length) return;
    const node = section('Structures before and after pruning', 'Graphviz dot: layers as columns, skip edges in red, pruned edges gone, vertices left without edges in grey.');
    data.drawings.forEach((drawing, d) => {
      node.appendChild(el('h3', {text: drawing.run_id + (drawing.config ? ' (' + drawing.config + ')' : '') + ', ' + drawing.vertices + ' vertices'}));
      const row = el('div', {class: 'drawings'});
      node.appendChild(row);
      for (const [side, stage] of [['before', drawing.before_stage], ['after', drawing.after_stage]]) {
        const id = 'drawing-' + d + '-' + side;
        const box = el('figure', {id: id}, [el('figcaption', {text: side + ': ' + stage})]);
        row.appendChild(box);
        if (drawing[side + '_svg']) {
          const holder = el('div', {class: 'svg'});
          holder.innerHTML = drawing[side + '_svg'];
          box.appendChild(holder);
          rendered.drawings[id] = {vertices: holder.querySelectorAll('g.node').length, edges: holder.querySelectorAll('g.edge').length};
        } else {
          const summary = drawing[side + '_summary'];
          chart(box, id + '-widths', 'vertices per layer', {type: 'bar', data: {labels: summary.layer_widths.map((w) => w[0]),
                datasets: [{label: 'vertices', data: summary.layer_widths.map((w) => w[1]), backgroundColor: colour(0)}]},
                options: {plugins: {legend: {display: false}}}}, 220);
          chart(box, id + '-degrees', 'degree histogram', {type: 'bar', data: {labels: Array.from(new Set(summary.in_degree.concat(summary.out_degree).map((b) => b[0]))).sort((a, b) => a - b),
                datasets: [{label: 'in-degree', data: summary.in_degree.map((b) => ({x: b[0], y: b[1]})), backgroundColor: colour(1)},
                           {label: 'out-degree', data: summary.out_degree.map((b) => ({x: b[0], y: b[1]})), backgroundColor: colour(2)}]}}, 220);
          rendered.drawings[id] = {vertices: summary.vertices, edges: summary.edges};
        }
      }
    });
  }

  experimentSection();
  runTable();
  accuracyVsDensity();
  trainingCurves();
  layerDensity();
  structureSweeps();
  drawings();
  rendered.errors = window.structlabErrors;
  rendered.done = true;
  document.getElementById('structlab-render-status').textContent = JSON.stringify(rendered);
})();
)JS";
}

}  // namespace structlab::results::detail
