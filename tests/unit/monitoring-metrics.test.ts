/**
 * issue 16 item 5: the alert rules (infra/monitoring/alerts.yaml) and the Grafana dashboard
 * (infra/monitoring/grafana-dashboard.json) only use metrics the service exports. The registry
 * is the real one: createMetrics() of src/metrics.ts, default process metrics included. Each
 * PromQL expression is tokenized; every metric name in it must be registered (a histogram's
 * _bucket/_sum/_count series count as its own), and every label it filters or groups on must be
 * one of that metric's labels or one Prometheus adds at scrape time (podmonitor.yaml).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { createMetrics } from '../../src/metrics.js';
import { objectsFromYaml, renderKustomize, requireKubectl, type Doc } from './k8s-typed/kubectl-yaml.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Written by Prometheus itself for every target, not by the service. */
const PROMETHEUS_SERIES = new Set(['up']);
/** Target labels Prometheus attaches at scrape time (podmonitor.yaml adds `component`). */
const TARGET_LABELS = new Set(['job', 'instance', 'namespace', 'pod', 'container', 'endpoint', 'service', 'component']);

// ---- a PromQL reader: just enough to find metric names and label names ----

interface Token {
  type: 'ident' | 'string' | 'number' | 'var' | 'punct';
  value: string;
}

const TOKEN_RULES: [Token['type'], RegExp][] = [
  ['string', /^"(?:[^"\\]|\\.)*"|^'(?:[^'\\]|\\.)*'|^`[^`]*`/],
  ['number', /^(?:[0-9]*\.)?[0-9]+(?:[eE][+-]?[0-9]+)?(?:(?:ms|[smhdwy])(?:[0-9]+(?:ms|[smhdwy]))*)?(?![A-Za-z_])/],
  ['var', /^\$(?:\{[^}]+\}|[A-Za-z_][A-Za-z0-9_]*)/],
  ['ident', /^[A-Za-z_:][A-Za-z0-9_:]*/],
  ['punct', /^(?:=~|!~|!=|==|<=|>=|[-+*/%^<>=(){}[\],@])/],
];

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let rest = expr;
  while (rest.length > 0) {
    const space = /^(?:\s+|#[^\n]*)/.exec(rest);
    if (space) {
      rest = rest.slice(space[0].length);
      continue;
    }
    const rule = TOKEN_RULES.map(([type, re]) => [type, re.exec(rest)] as const).find(([, m]) => m);
    if (!rule) throw new Error(`cannot read PromQL at: ${rest.slice(0, 30)}`);
    tokens.push({ type: rule[0], value: rule[1]![0] });
    rest = rest.slice(rule[1]![0].length);
  }
  return tokens;
}

const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set([...LABEL_LISTS, 'and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);

interface Usage {
  /** Metric name → the label names its selectors match on. */
  selectors: Map<string, Set<string>>;
  /** Labels named in by / without / on / ignoring / group_left / group_right lists. */
  grouping: Set<string>;
}

function usageOf(expr: string): Usage {
  const tokens = tokenize(expr);
  const selectors = new Map<string, Set<string>>();
  const grouping = new Set<string>();
  /** Labels of a `{…}` matcher list starting at tokens[i] === '{'; returns the index of '}'. */
  const matchers = (i: number, into: Set<string>): number => {
    let j = i + 1;
    while (tokens[j] && tokens[j].value !== '}') {
      if (tokens[j].type === 'ident' && ['=', '!=', '=~', '!~'].includes(tokens[j + 1]?.value ?? '')) into.add(tokens[j].value);
      j += 1;
    }
    return j;
  };
  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i];
    if (t.value === '[') {
      // A range or subquery: durations, steps, variables; nothing named.
      while (tokens[i] && tokens[i].value !== ']') i += 1;
      continue;
    }
    if (t.value === '{') {
      i = matchers(i, new Set());
      continue;
    }
    if (t.type !== 'ident') continue;
    const word = t.value.toLowerCase();
    const next = tokens[i + 1]?.value;
    if (LABEL_LISTS.has(word) && next === '(') {
      i += 2;
      while (tokens[i] && tokens[i].value !== ')') {
        if (tokens[i].type === 'ident') grouping.add(tokens[i].value);
        i += 1;
      }
      continue;
    }
    if (next === '(' || KEYWORDS.has(word) || AGGREGATIONS.has(word)) continue; // a function, an operator
    const labels = selectors.get(t.value) ?? new Set<string>();
    selectors.set(t.value, labels);
    if (next === '{') i = matchers(i + 1, labels);
  }
  return { selectors, grouping };
}

// ---- what the service registers ----

async function exported(): Promise<Map<string, Set<string>>> {
  const metrics = createMetrics({ queueDepth: async () => 0, outboxPending: async () => 0 });
  const series = new Map<string, Set<string>>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    const labelNames = new Set<string>(((metrics.registry.getSingleMetric(m.name) as unknown as { labelNames?: string[] }).labelNames ?? []));
    const type = String(m.type);
    if (type === 'histogram') {
      series.set(`${m.name}_bucket`, new Set([...labelNames, 'le']));
      series.set(`${m.name}_sum`, labelNames);
      series.set(`${m.name}_count`, labelNames);
    } else if (type === 'summary') {
      series.set(m.name, new Set([...labelNames, 'quantile']));
      series.set(`${m.name}_sum`, labelNames);
      series.set(`${m.name}_count`, labelNames);
    } else {
      series.set(m.name, labelNames);
    }
  }
  return series;
}

/** Problems with one expression: unknown metrics, labels no metric of it has. */
function problemsOf(where: string, expr: string, series: Map<string, Set<string>>): string[] {
  const problems: string[] = [];
  const { selectors, grouping } = usageOf(expr);
  if (selectors.size === 0) problems.push(`${where}: no metric in ${JSON.stringify(expr)}`);
  const known = new Set(TARGET_LABELS);
  for (const [name, labels] of selectors) {
    const own = PROMETHEUS_SERIES.has(name) ? new Set<string>() : series.get(name);
    if (!own) {
      problems.push(`${where}: ${name} is not exported by src/metrics.ts`);
      continue;
    }
    own.forEach((l) => known.add(l));
    for (const label of labels) if (!own.has(label) && !TARGET_LABELS.has(label)) problems.push(`${where}: ${name} has no label ${label}`);
  }
  for (const label of grouping) if (!known.has(label)) problems.push(`${where}: grouped by ${label}, which none of its metrics has`);
  return problems;
}

// ---- the files ----

requireKubectl();
const rules = objectsFromYaml(readFileSync(join(root, 'infra/monitoring/alerts.yaml'), 'utf8'));
const alerts: Doc[] = rules.flatMap((r) => r.spec.groups.flatMap((g: Doc) => g.rules));
const dashboard = JSON.parse(readFileSync(join(root, 'infra/monitoring/grafana-dashboard.json'), 'utf8')) as Doc;
const panels: Doc[] = dashboard.panels.flatMap((p: Doc) => [p, ...(p.panels ?? [])]).filter((p: Doc) => p.type !== 'row');

/** Every PromQL expression of the dashboard: panel targets and `label_values(expr, label)` variables. */
function dashboardExpressions(): { where: string; expr: string }[] {
  const found = panels.flatMap((p) => (p.targets ?? []).map((t: Doc) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr as string })));
  for (const v of dashboard.templating.list as Doc[]) {
    if (v.type !== 'query') continue;
    const query = typeof v.query === 'string' ? v.query : v.query.query;
    const m = /^label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(query);
    assert.ok(m, `variable ${v.name}: only label_values(expr, label) queries are checked: ${query}`);
    // Checked as what it asks: the values of label m[2] on the series of m[1].
    found.push({ where: `variable ${v.name}`, expr: `count by (${m[2]}) (${m[1]})` });
  }
  return found;
}

describe('the PromQL reader', () => {
  test('finds metrics and labels, not functions, durations, strings or variables', () => {
    const u = usageOf('histogram_quantile(0.99, sum by (le, kind) (rate(kefu_callback_ack_seconds_bucket{namespace=~"$ns",kind!="x"}[$__rate_interval]))) > 2 * (sum(rate(b_total[1h] offset 1w)) or vector(0)) and max(deriv(q[15m:1m])) > 0');
    assert.deepEqual([...u.selectors.keys()], ['kefu_callback_ack_seconds_bucket', 'b_total', 'q']);
    assert.deepEqual([...u.selectors.get('kefu_callback_ack_seconds_bucket')!], ['namespace', 'kind']);
    assert.deepEqual([...u.grouping], ['le', 'kind']);
    assert.deepEqual([...usageOf('absent(up{component="connector"} == 1)').selectors.keys()], ['up']);
  });

  test('reports an unknown metric, a label the metric lacks, a grouping no metric has', async () => {
    const series = await exported();
    assert.deepEqual(problemsOf('planted', 'sum by (reasons) (rate(kefu_handoffs_total{channel="a"}[5m])) + kefu_breaker_open', series), [
      'planted: kefu_handoffs_total has no label channel',
      'planted: kefu_breaker_open is not exported by src/metrics.ts',
      'planted: grouped by reasons, which none of its metrics has',
    ]);
    assert.deepEqual(problemsOf('ok', 'sum by (reason) (rate(kefu_handoffs_total{namespace="kefu"}[5m]))', series), []);
  });
});

describe('infra/monitoring/alerts.yaml', () => {
  test('a PrometheusRule whose every rule is an alert with a duration, a severity and words for the person paged', () => {
    assert.deepEqual(rules.map((r) => `${r.apiVersion}/${r.kind}`), ['monitoring.coreos.com/v1/PrometheusRule']);
    const names = alerts.map((a) => a.alert);
    assert.equal(new Set(names).size, names.length, 'alert names are unique');
    for (const a of alerts) {
      assert.ok(a.alert && typeof a.expr === 'string', JSON.stringify(a));
      assert.match(a.for ?? '', /^\d+[smh]$/, `${a.alert}: for`);
      assert.ok(['critical', 'warning'].includes(a.labels?.severity), `${a.alert}: severity`);
      assert.ok(a.annotations?.summary && a.annotations?.description, `${a.alert}: summary and description`);
    }
  });

  test('covers what issue 16 item 5 lists', () => {
    const names = alerts.map((a) => a.alert);
    for (const name of ['KefuCallbacksFailing', 'KefuOutboxFailuresRising', 'KefuModelBreakerOpen', 'KefuHandoffRateDoubled', 'KefuQueueDepthGrowing', 'KefuNoStreamConnector', 'KefuChannelNotConnected']) {
      assert.ok(names.includes(name), `${name} missing`);
    }
    const expr = (name: string) => alerts.find((a) => a.alert === name)!.expr as string;
    assert.match(expr('KefuHandoffRateDoubled'), /offset 1w/, 'compared with last week');
    assert.match(expr('KefuModelBreakerOpen'), /kefu_model_breaker_open/, 'the breaker state itself, not inferred from outcomes');
    // A channel whose connector died has no kefu_channel_connected series: `== 0` alone would never fire for it.
    assert.match(expr('KefuChannelNotConnected'), /kefu_channel_connection_wanted[\s\S]*unless on \(channel_id\)[\s\S]*kefu_channel_connected/);
  });

  test('every metric and label the rules use is one the service exports (src/metrics.ts)', async () => {
    const series = await exported();
    assert.deepEqual(alerts.flatMap((a) => problemsOf(`alert ${a.alert}`, a.expr, series)), []);
  });
});

describe('infra/monitoring/grafana-dashboard.json', () => {
  test('panels for everything issue 16 item 5 lists', () => {
    const exprs = dashboardExpressions().map((e) => e.expr).join('\n');
    for (const metric of ['kefu_callbacks_total', 'kefu_callback_ack_seconds_bucket', 'kefu_turns_total', 'kefu_model_seconds_bucket', 'kefu_model_seconds_count', 'kefu_answer_confidence_bucket', 'kefu_handoffs_total', 'kefu_queue_depth', 'kefu_outbox_failures_total', 'kefu_model_breaker_open', 'kefu_channel_connected']) {
      assert.ok(exprs.includes(metric), `no panel shows ${metric}`);
    }
    assert.match(exprs, /sum by \(channel_id\) \(increase\(kefu_turns_total\{[^}]*outcome="answer"/, 'a per-channel answer rate');
  });

  test('every metric and label the dashboard uses is one the service exports (src/metrics.ts)', async () => {
    const series = await exported();
    assert.deepEqual(dashboardExpressions().flatMap(({ where, expr }) => problemsOf(where, expr, series)), []);
  });

  test('a dashboard Grafana can import: unique panel ids, the datasource variable, a 24-column grid without overlaps', () => {
    assert.ok(dashboard.uid && dashboard.title && dashboard.schemaVersion >= 36);
    const ids = dashboard.panels.map((p: Doc) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(dashboard.templating.list.some((v: Doc) => v.type === 'datasource' && v.name === 'datasource'));
    const boxes = dashboard.panels.map((p: Doc) => ({ title: p.title, ...p.gridPos }));
    for (const [i, a] of boxes.entries()) {
      assert.ok(a.x >= 0 && a.w > 0 && a.x + a.w <= 24, `${a.title}: outside the grid`);
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `${a.title} overlaps ${b.title}`);
      }
    }
    for (const p of panels) {
      assert.ok(p.description, `${p.title}: a description`);
      assert.equal(p.datasource?.uid, '${datasource}', `${p.title}: the datasource variable`);
    }
  });
});

describe('infra/monitoring/podmonitor.yaml', () => {
  test('selects the kefu-bridge pods of the manifests, on their named metrics port, and labels the role', () => {
    const [monitor] = objectsFromYaml(readFileSync(join(root, 'infra/monitoring/podmonitor.yaml'), 'utf8'));
    assert.equal(monitor?.kind, 'PodMonitor');
    const { docs } = renderKustomize(join(root, 'infra/k8s/overlays/production'));
    const pods = docs.filter((d) => d.kind === 'Deployment').map((d) => d.spec.template);
    const selected = pods.filter((p) => Object.entries<string>(monitor.spec.selector.matchLabels).every(([k, v]) => p.metadata.labels[k] === v));
    assert.deepEqual(selected.map((p) => p.metadata.labels['app.kubernetes.io/component']).sort(), ['connector', 'web', 'worker']);
    const endpoint = monitor.spec.podMetricsEndpoints[0];
    assert.equal(endpoint.path, '/metrics');
    for (const p of selected) assert.ok(p.spec.containers.some((c: Doc) => (c.ports ?? []).some((x: Doc) => x.name === endpoint.port)), 'the port name exists');
    assert.ok(endpoint.relabelings.some((r: Doc) => r.targetLabel === 'component' && r.sourceLabels[0] === '__meta_kubernetes_pod_label_app_kubernetes_io_component'));
  });
});
