/**
 * The unknown-field check (issue 16 item 2): each rendered document becomes an object literal
 * typed with its kubernetes-types interface (kinds.ts), and the TypeScript compiler checks the
 * generated module in memory. Object literals get excess-property checks at every depth, so a
 * misspelt or misplaced field (`livenessProbes`, `spec.replicaz`) is an error, as is a wrong
 * type. Nothing is written to disk: the module is served to the compiler from a path beside
 * kinds.ts, so its imports resolve against this repository's node_modules.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { Doc } from './kubectl-yaml.js';
import { kindKeyOf } from './kinds.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface TypedProblem {
  /** Index of the document in the list given, or -1 for a problem outside the generated module. */
  doc: number;
  message: string;
}

const options: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  types: [],
  skipLibCheck: true,
};

/** Type-checks documents against kubernetes-types; an empty list means every one conforms. */
export function typecheckDocuments(docs: Doc[]): TypedProblem[] {
  const file = join(here, '__rendered_manifests__.ts');
  const lines = [`import type { Kinds } from './kinds.js';`];
  /** The source line each document's declaration starts at (its literal spans many lines). */
  const starts: number[] = [];
  docs.forEach((doc, i) => {
    starts.push(lines.length);
    lines.push(`// ${kindKeyOf(doc)} ${String(doc.metadata?.name)}`);
    lines.push(...`export const doc${i}: Kinds[${JSON.stringify(kindKeyOf(doc))}] = ${JSON.stringify(doc, null, 2)};`.split('\n'));
  });
  const source = `${lines.join('\n')}\n`;

  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === file ? ts.createSourceFile(name, source, languageVersion, true) : getSourceFile(name, languageVersion, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === file ? source : readFile(name));

  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.file.fileName !== file || d.start === undefined) return { doc: -1, message: `${d.file?.fileName ?? ''}: ${message}` };
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    let doc = -1;
    starts.forEach((start, i) => {
      if (start <= line) doc = i;
    });
    const text = lines[line]?.trim() ?? '';
    return { doc, message: `${message} (at: ${text})` };
  });
}
