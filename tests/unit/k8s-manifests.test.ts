/**
 * issue 16 items 1 and 2: the Kubernetes manifests, validated offline. Each kustomization under
 * infra/k8s is rendered by `kubectl kustomize` (no cluster), every document is checked against
 * the Kubernetes schema (kubernetes-models: types, required fields) and typed with
 * kubernetes-types under tsc (unknown fields too), and the rendered service is held to what the
 * issue asks of it (roles, probes, shutdown, secrets, scaling, private /metrics, vLLM flags).
 * Two planted fixtures (tests/unit/fixtures/k8s-bad/) prove the checkers can fail.
 * No kubectl → the test fails: it never skips.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { isKnownKind, kindKeyOf, MODELS } from './k8s-typed/kinds.js';
import { renderKustomize, requireKubectl, type Doc } from './k8s-typed/kubectl-yaml.js';
import { typecheckDocuments } from './k8s-typed/typecheck.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const BASE = 'infra/k8s/base';
const PRODUCTION = 'infra/k8s/overlays/production';
const VLLM = 'infra/k8s/vllm';
const KEFU_DIRS = [BASE, PRODUCTION];

const rendered = new Map<string, Doc[]>();
function render(dir: string): Doc[] {
  if (!rendered.has(dir)) rendered.set(dir, renderKustomize(join(root, dir)).docs);
  return rendered.get(dir)!;
}

const nameOf = (d: Doc) => `${kindKeyOf(d)} ${String(d.metadata?.name)}`;

/** kubernetes-models: every document against the schema of its kind. */
function schemaProblems(docs: Doc[]): string[] {
  const problems: string[] = [];
  for (const doc of docs) {
    const key = kindKeyOf(doc);
    if (!isKnownKind(key)) {
      problems.push(`${nameOf(doc)}: no schema for this kind (add it to tests/unit/k8s-typed/kinds.ts)`);
      continue;
    }
    try {
      new MODELS[key](doc).validate();
    } catch (err) {
      problems.push(`${nameOf(doc)}: ${(err as Error).message}`);
    }
  }
  return problems;
}

function typedProblems(docs: Doc[]): string[] {
  return typecheckDocuments(docs).map((p) => `${p.doc >= 0 ? nameOf(docs[p.doc]) : '(module)'}: ${p.message}`);
}

const of = (docs: Doc[], kind: string) => docs.filter((d) => d.kind === kind);
const find = (docs: Doc[], kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata?.name === name);
const kefuDeployments = (docs: Doc[]) => of(docs, 'Deployment').filter((d) => d.metadata?.labels?.['app.kubernetes.io/name'] === 'kefu-bridge');
const kefuContainer = (d: Doc): Doc => {
  const c = d.spec.template.spec.containers.find((x: Doc) => x.name === 'kefu');
  assert.ok(c, `${nameOf(d)}: no container named kefu`);
  return c;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** A Kubernetes quantity in base units (cores, bytes). */
function quantity(q: string | number): number {
  const m = /^([0-9.]+)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q));
  assert.ok(m, `not a quantity: ${q}`);
  const unit = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

/** What a secretKeyRef stands for in the config check: a value of the right shape, never a real secret. */
const PLACEHOLDERS: Record<string, string> = {
  DATABASE_URL: 'postgres://kefu:placeholder@postgres.example:5432/kefu',
  REDIS_URL: 'redis://redis.example:6379',
  ADMIN_EMAIL: 'admin@example.com',
};
/** Must come from a Secret, never from a literal or the ConfigMap. */
const SECRET_VARS = ['MASTER_KEY', 'ADMIN_TOKEN', 'DATABASE_URL', 'REDIS_URL', 'MODEL_API_KEY', 'ADMIN_PASSWORD', 'EMBEDDING_API_KEY'];
/** Several processes on one database: each must have these (src/main.ts, infra/compose.yaml). */
const REQUIRED_FROM_SECRET = ['MASTER_KEY', 'ADMIN_TOKEN', 'DATABASE_URL', 'REDIS_URL'];

/** The environment a container starts with: ConfigMaps of envFrom, then env; secrets as placeholders. */
function environmentOf(docs: Doc[], container: Doc): { env: Record<string, string>; fromSecret: Map<string, { key: string; optional: boolean }> } {
  const env: Record<string, string> = {};
  const fromSecret = new Map<string, { key: string; optional: boolean }>();
  for (const source of container.envFrom ?? []) {
    assert.ok(source.configMapRef, `envFrom other than a ConfigMap: ${JSON.stringify(source)}`);
    const map = find(docs, 'ConfigMap', source.configMapRef.name);
    assert.ok(map, `envFrom names ConfigMap ${source.configMapRef.name}, which is not rendered`);
    Object.assign(env, map.data);
  }
  for (const v of container.env ?? []) {
    if (v.value !== undefined) env[v.name] = v.value;
    const ref = v.valueFrom?.secretKeyRef;
    if (ref) {
      fromSecret.set(v.name, { key: ref.key, optional: ref.optional === true });
      if (!ref.optional) env[v.name] = PLACEHOLDERS[ref.key] ?? 'placeholder-secret-value-0123456789';
    }
  }
  return { env, fromSecret };
}

test('kubectl is installed (the manifest checks need it; CI has it)', () => {
  assert.match(requireKubectl(), /Client Version/);
});

for (const dir of [BASE, PRODUCTION, VLLM]) {
  describe(`${dir} (kubectl kustomize, offline)`, () => {
    test('renders, and every document passes the Kubernetes schema of its kind (kubernetes-models)', () => {
      const docs = render(dir);
      assert.ok(docs.length > 0, 'nothing rendered');
      assert.deepEqual(schemaProblems(docs), []);
    });

    test('every document type-checks as its kubernetes-types interface (tsc: unknown fields too)', () => {
      assert.deepEqual(typedProblems(render(dir)), []);
    });
  });
}

describe('planted defects are caught (tests/unit/fixtures/k8s-bad)', () => {
  test('an unknown field (readinesProbe) fails the typed check, naming the field', () => {
    const docs = render('tests/unit/fixtures/k8s-bad/unknown-field');
    const problems = typedProblems(docs);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /Deployment kefu-web: .*'"?readinesProbe"?' does not exist in type 'Container'/);
  });

  test('a wrong type (replicas: two) fails both the schema and the typed check', () => {
    const docs = render('tests/unit/fixtures/k8s-bad/wrong-type');
    const schema = schemaProblems(docs);
    assert.equal(schema.length, 1, schema.join('\n'));
    assert.match(schema[0], /Deployment kefu-web: .*replicas must be integer/);
    const typed = typedProblems(docs);
    assert.equal(typed.length, 1, typed.join('\n'));
    assert.match(typed[0], /Deployment kefu-web: Type 'string' is not assignable to type 'number'.*"replicas": "two"/);
  });
});

for (const dir of KEFU_DIRS) {
  describe(`${dir}: the service as issue 16 item 1 asks`, () => {
    test('web, worker and connector each run with their ROLE, and their settings load (src/config.ts)', () => {
      const docs = render(dir);
      const deployments = kefuDeployments(docs);
      assert.deepEqual(deployments.map((d) => d.metadata.labels['app.kubernetes.io/component']).sort(), ['connector', 'web', 'worker']);
      for (const d of deployments) {
        const component = d.metadata.labels['app.kubernetes.io/component'];
        const { env, fromSecret } = environmentOf(docs, kefuContainer(d));
        assert.equal(env.ROLE, component, `${nameOf(d)}: ROLE`);
        const config = loadConfig(env);
        assert.deepEqual([config.runsWeb, config.runsWorker, config.runsConnector], [component === 'web', component === 'worker', component === 'connector']);
        assert.equal(config.DEMO, false, `${nameOf(d)}: several replicas on one database must not seed the demo`);
        assert.ok(env.PUBLIC_URL?.startsWith('https://'), `${nameOf(d)}: PUBLIC_URL (webhook addresses) must be set, https`);
        for (const name of REQUIRED_FROM_SECRET) {
          const ref = fromSecret.get(name);
          assert.ok(ref && !ref.optional, `${nameOf(d)}: ${name} must come from a required Secret key`);
        }
        for (const name of SECRET_VARS) {
          assert.ok(!(name in env) || fromSecret.has(name), `${nameOf(d)}: ${name} is a secret: from a Secret only, never a literal or the ConfigMap`);
        }
      }
    });

    test('liveness on /healthz, readiness on /readyz, a startup allowance, a grace period longer than the drain', () => {
      for (const d of kefuDeployments(render(dir))) {
        const c = kefuContainer(d);
        const ports = new Set((c.ports ?? []).map((p: Doc) => p.name));
        assert.equal(c.livenessProbe?.httpGet?.path, '/healthz', `${nameOf(d)}: liveness`);
        assert.equal(c.readinessProbe?.httpGet?.path, '/readyz', `${nameOf(d)}: readiness`);
        assert.equal(c.startupProbe?.httpGet?.path, '/healthz', `${nameOf(d)}: startup (migrations run before the listener opens)`);
        for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) assert.ok(ports.has(probe.httpGet.port), `${nameOf(d)}: probe port ${probe.httpGet.port}`);
        const preStop = c.lifecycle?.preStop?.exec?.command;
        const pause = preStop?.[0] === 'sleep' ? Number(preStop[1]) : 0;
        // The service forces its exit 30 s after SIGTERM (src/main.ts); the preStop pause comes first.
        const grace = d.spec.template.spec.terminationGracePeriodSeconds;
        assert.ok(grace >= 35 && grace > pause + 30, `${nameOf(d)}: terminationGracePeriodSeconds ${grace} vs preStop ${pause} s + 30 s drain`);
      }
    });

    test('requests and limits for CPU and memory; the V8 heap fits the memory limit', () => {
      for (const d of kefuDeployments(render(dir))) {
        const c = kefuContainer(d);
        for (const r of ['cpu', 'memory']) {
          const request = c.resources?.requests?.[r];
          const limit = c.resources?.limits?.[r];
          assert.ok(request !== undefined && limit !== undefined, `${nameOf(d)}: ${r} request and limit`);
          assert.ok(quantity(request) <= quantity(limit), `${nameOf(d)}: ${r} request above limit`);
        }
        // The bench's web process: RSS 353 MiB under load.
        if (d.metadata.labels['app.kubernetes.io/component'] === 'web') assert.ok(quantity(c.resources.requests.memory) >= 353 * 2 ** 20);
        const heap = /--max-old-space-size=(\d+)/.exec(c.env.find((v: Doc) => v.name === 'NODE_OPTIONS')?.value ?? '');
        assert.ok(heap, `${nameOf(d)}: NODE_OPTIONS --max-old-space-size`);
        assert.ok(Number(heap[1]) * 2 ** 20 < quantity(c.resources.limits.memory) * 0.8, `${nameOf(d)}: heap ${heap[1]} MiB leaves too little of the limit`);
      }
    });

    test('web: 2+ replicas scaled on CPU, a PodDisruptionBudget; worker scaled; connector 2 replicas', () => {
      const docs = render(dir);
      const hpa = (target: string) => of(docs, 'HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === target);
      const web = hpa('kefu-web');
      assert.ok(web && web.spec.minReplicas >= 2, 'web HPA with minReplicas >= 2');
      assert.ok(web.spec.metrics.some((m: Doc) => m.type === 'Resource' && m.resource.name === 'cpu'), 'web scales on CPU');
      const worker = hpa('kefu-worker');
      assert.ok(worker && worker.spec.minReplicas >= 1 && worker.spec.maxReplicas > worker.spec.minReplicas, 'worker HPA');
      const webPods = find(docs, 'Deployment', 'kefu-web')!.spec.template.metadata.labels;
      const pdb = of(docs, 'PodDisruptionBudget').find((p) => matches(p.spec.selector.matchLabels, webPods));
      assert.ok(pdb && (pdb.spec.minAvailable >= 1 || pdb.spec.maxUnavailable !== undefined), 'a PDB covering the web pods');
      assert.ok(find(docs, 'Deployment', 'kefu-connector')!.spec.replicas >= 2, 'two connectors');
    });

    test('every name resolves: Service selectors and ports, HPA targets, PDBs, Ingress backends, ConfigMaps, ServiceAccount', () => {
      const docs = render(dir);
      const pods = of(docs, 'Deployment').map((d) => ({ labels: d.spec.template.metadata.labels, spec: d.spec.template.spec }));
      const podPorts = (p: (typeof pods)[number]) => p.spec.containers.flatMap((c: Doc) => (c.ports ?? []).flatMap((x: Doc) => [x.name, x.containerPort]));
      for (const s of of(docs, 'Service')) {
        const selected = pods.filter((p) => matches(s.spec.selector, p.labels));
        assert.ok(selected.length > 0, `${nameOf(s)} selects no pod`);
        for (const port of s.spec.ports) assert.ok(selected.every((p) => podPorts(p).includes(port.targetPort)), `${nameOf(s)}: targetPort ${port.targetPort}`);
      }
      for (const h of of(docs, 'HorizontalPodAutoscaler')) assert.ok(find(docs, h.spec.scaleTargetRef.kind, h.spec.scaleTargetRef.name), `${nameOf(h)}: target`);
      for (const p of of(docs, 'PodDisruptionBudget')) assert.ok(pods.some((x) => matches(p.spec.selector.matchLabels, x.labels)), `${nameOf(p)} selects no pod`);
      for (const d of of(docs, 'Deployment')) assert.ok(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels), `${nameOf(d)}: selector`);
      for (const i of of(docs, 'Ingress')) {
        for (const path of i.spec.rules.flatMap((r: Doc) => r.http.paths)) {
          const svc = find(docs, 'Service', path.backend.service.name);
          assert.ok(svc, `${nameOf(i)}: no Service ${path.backend.service.name}`);
          assert.ok(svc.spec.ports.some((p: Doc) => p.name === path.backend.service.port.name || p.port === path.backend.service.port.number), `${nameOf(i)}: port`);
        }
      }
      for (const p of pods) {
        if (p.spec.serviceAccountName) assert.ok(find(docs, 'ServiceAccount', p.spec.serviceAccountName), `ServiceAccount ${p.spec.serviceAccountName}`);
        for (const v of p.spec.volumes ?? []) if (v.persistentVolumeClaim) assert.ok(find(docs, 'PersistentVolumeClaim', v.persistentVolumeClaim.claimName));
      }
    });

    test('the Ingress never routes /metrics, /healthz or /readyz (Prometheus scrapes pods inside the cluster)', () => {
      const docs = render(dir);
      const ingresses = of(docs, 'Ingress');
      assert.ok(ingresses.length > 0, 'an Ingress');
      const routes = (path: string) =>
        ingresses.flatMap((i) => i.spec.rules.flatMap((r: Doc) => r.http.paths)).filter((p: Doc) =>
          p.pathType === 'Exact' ? p.path === path : path === p.path || path.startsWith(p.path.endsWith('/') ? p.path : `${p.path}/`),
        );
      for (const privatePath of ['/metrics', '/healthz', '/readyz']) assert.deepEqual(routes(privatePath), [], `${privatePath} is routed`);
      // …while what people and platforms use is.
      for (const publicPath of ['/', '/console/', '/api/conversations', '/webhooks/wecom/ch1', '/webchat/ch1/messages', '/widget.js']) {
        assert.ok(routes(publicPath).length > 0, `${publicPath} is not routed`);
      }
      for (const d of kefuDeployments(docs)) {
        const a = d.spec.template.metadata.annotations ?? {};
        assert.equal(a['prometheus.io/path'], '/metrics');
        assert.ok(kefuContainer(d).ports.some((p: Doc) => String(p.containerPort) === a['prometheus.io/port']), `${nameOf(d)}: scrape port`);
      }
    });

    test('every Secret key the pods read is documented in infra/k8s/README.md', () => {
      const readme = readFileSync(join(root, 'infra/k8s/README.md'), 'utf8');
      const keys = new Set(of(render(dir), 'Deployment').flatMap((d) => d.spec.template.spec.containers.flatMap((c: Doc) => (c.env ?? []).map((v: Doc) => v.valueFrom?.secretKeyRef?.key).filter(Boolean))));
      assert.ok(keys.size >= REQUIRED_FROM_SECRET.length);
      for (const key of keys) assert.ok(readme.includes(key), `README does not mention Secret key ${key}`);
    });
  });
}

describe(`${VLLM}: the model node`, () => {
  test('vLLM runs with every flag of infra/vllm/serve.sh, one GPU, and the models volume', () => {
    const script = readFileSync(join(root, 'infra/vllm/serve.sh'), 'utf8');
    const launch = script.slice(script.indexOf('exec vllm serve'));
    const flags = [...launch.slice(0, launch.search(/\n\s*\n/)).matchAll(/(--[a-z-]+)/g)].map((m) => m[1]);
    assert.ok(flags.includes('--enable-lora') && flags.includes('--max-lora-rank'), `flags read from serve.sh: ${flags.join(' ')}`);
    const docs = render(VLLM);
    const vllm = find(docs, 'Deployment', 'vllm')!.spec.template.spec;
    const c = vllm.containers[0];
    const args: string[] = [...c.command, ...c.args];
    for (const flag of flags) assert.ok(args.includes(flag), `${flag} (serve.sh) missing from the vLLM Deployment`);
    // Values serve.sh defaults to, where a difference would break kefu-bridge or the adapters.
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    assert.equal(value('--served-model-name'), loadConfig({}).MODEL_NAME, 'the base model is served under kefu-bridge\'s default MODEL_NAME');
    assert.equal(value('--max-lora-rank'), '64', 'r=64 in infra/finetune/train_lora.py');
    assert.equal(value('--generation-config'), 'vllm');
    const mount = c.volumeMounts.find((m: Doc) => m.name === 'models');
    for (const module of args.slice(args.indexOf('--lora-modules') + 1).filter((a) => /^[\w.-]+=\//.test(a))) {
      assert.ok(module.split('=')[1].startsWith(`${mount.mountPath}/`), `${module}: under the models volume`);
    }
    assert.equal(c.resources.limits['nvidia.com/gpu'], '1');
    assert.equal(c.env.find((v: Doc) => v.name === 'VLLM_API_KEY')?.valueFrom?.secretKeyRef?.key, 'MODEL_API_KEY', 'the key kefu-bridge sends');
    assert.ok(c.startupProbe?.httpGet?.path === '/health' && c.readinessProbe?.httpGet?.path === '/health');
  });

  test('production points kefu-bridge at the vLLM Service', () => {
    const docs = render(PRODUCTION);
    const config = of(docs, 'ConfigMap').find((m) => m.metadata.name.startsWith('kefu-config'))!;
    const url = new URL(config.data.MODEL_BASE_URL);
    const svc = find(docs, 'Service', url.hostname);
    assert.ok(svc, `MODEL_BASE_URL host ${url.hostname} is no Service`);
    assert.ok(svc.spec.ports.some((p: Doc) => String(p.port) === url.port), `port ${url.port}`);
    assert.equal(url.pathname, '/v1');
  });
});
