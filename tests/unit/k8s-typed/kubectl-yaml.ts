/**
 * YAML in, JSON out, through kubectl alone (issue 16 item 2: "kubectl is on the machine image").
 * The project has no YAML parser among its packages; kubectl has a complete one (anchors, merge
 * keys, several documents), and two of its offline commands expose it:
 * - `kubectl kustomize DIR` renders a kustomization to YAML;
 * - `kubectl label --local -f FILE NAME- -o json` re-prints objects as JSON without any cluster
 *   (removing a label that is not there changes nothing but an empty `labels: {}`).
 * Nothing here contacts a cluster: KUBECONFIG points nowhere.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type Doc = Record<string, any>;

const env = { ...process.env, KUBECONFIG: '/nonexistent/kubeconfig' };
/** A label name nothing uses: removing it is the no-op that makes kubectl print what it read. */
const NO_SUCH_LABEL = 'kefu-bridge.test/never-set';

/** Fails loudly, never skips: CI's image has kubectl (issue 16 item 2). */
export function requireKubectl(): string {
  try {
    return execFileSync('kubectl', ['version', '--client'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    throw new Error(`kubectl is required to render and read the manifests (kubectl kustomize, kubectl label --local) and was not found or failed: ${(err as Error).message}`);
  }
}

function kubectl(args: string[], input?: string): string {
  try {
    return execFileSync('kubectl', args, { env, encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** `kubectl kustomize DIR`, as YAML. */
export function kustomizeYaml(dir: string): string {
  return kubectl(['kustomize', dir]);
}

/**
 * Objects (each with apiVersion, kind and metadata.name) from YAML text, in order. kubectl
 * pretty-prints each object with a 4-space indent, so a top-level object ends at a line that is
 * exactly "}" (a newline inside a JSON string is always escaped).
 */
export function objectsFromYaml(yaml: string): Doc[] {
  const printed = kubectl(['label', '--local', '-f', '-', `${NO_SUCH_LABEL}-`, '-o', 'json'], yaml);
  const docs: Doc[] = [];
  for (const chunk of printed.split(/^}$/m)) {
    if (chunk.trim() === '') continue;
    const doc = JSON.parse(`${chunk}}`) as Doc;
    // The only trace of the no-op label removal: an empty labels map where there was none.
    if (doc.metadata?.labels && Object.keys(doc.metadata.labels).length === 0) delete doc.metadata.labels;
    docs.push(doc);
  }
  return docs;
}

/** Renders a kustomization and reads every document as JSON. */
export function renderKustomize(dir: string): { yaml: string; docs: Doc[] } {
  const yaml = kustomizeYaml(dir);
  return { yaml, docs: objectsFromYaml(yaml) };
}

/**
 * A YAML file that is not a Kubernetes object (a compose file): wrapped as one by prepending
 * apiVersion/kind/metadata at the top level, which leaves its own keys, anchors and merge keys as
 * they are; the wrapper's keys are removed again. The file must not use those three keys itself.
 */
export function readPlainYaml(path: string): Doc {
  const text = readFileSync(path, 'utf8');
  if (/^(apiVersion|kind|metadata):/m.test(text)) throw new Error(`${path}: has a top-level apiVersion, kind or metadata key; read it with objectsFromYaml`);
  const docs = objectsFromYaml(`apiVersion: test.kefu-bridge/v1\nkind: PlainYaml\nmetadata:\n  name: plain\n${text}`);
  if (docs.length !== 1) throw new Error(`${path}: expected one YAML document, got ${docs.length}`);
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = docs[0];
  return rest;
}
