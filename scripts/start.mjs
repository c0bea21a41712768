// `npm start`: builds what is stale, then runs the service. The server (tsc → dist/src) when its
// sources are newer than dist/src/main.js; the console and widget (vite → dist/console) when
// their sources are newer than what dist/console holds.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist', 'src', 'main.js');
const consoleSrc = join(root, 'src', 'console');
const consoleOut = join(root, 'dist', 'console');

/** The newest mtime of the files under `dir` that `wanted` accepts, skipping the `skip` folders. */
function newest(dir, wanted, skip = []) {
  let result = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    if (name.isDirectory()) {
      if (!skip.includes(path)) result = Math.max(result, newest(path, wanted, skip));
    } else if (wanted(name.name)) result = Math.max(result, statSync(path).mtimeMs);
  }
  return result;
}
const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);

// src/console is the browser's code (tsconfig.json leaves it out): it does not make the server stale.
const isTs = (name) => name.endsWith('.ts');
const serverStale = !existsSync(entry) || Math.max(newest(join(root, 'src'), isTs, [consoleSrc]), newest(join(root, 'adapters'), isTs)) > mtime(entry);
if (serverStale) {
  console.log('building (tsc)…');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}

// demo.html is read by the server at run time, not built.
const isConsoleSource = (name) => /\.(tsx?|css|html|json)$/.test(name) && name !== 'demo.html';
const hasWidget = existsSync(join(consoleSrc, 'widget', 'vite.config.ts'));
const outputs = [join(consoleOut, 'index.html'), ...(hasWidget ? [join(consoleOut, 'widget.js')] : [])];
const oldestOutput = Math.min(...outputs.map(mtime));
if (oldestOutput === 0 || newest(consoleSrc, isConsoleSource) > oldestOutput) {
  if (!existsSync(join(root, 'node_modules', 'vite'))) {
    // A production install without dev packages: serve what dist/console has (or a 503 saying so).
    console.warn('console sources are newer than dist/console, but vite is not installed: skipping the console build');
  } else {
    console.log('building the console (vite)…');
    try {
      execFileSync(process.execPath, [join(root, 'scripts', 'build-console.mjs')], { stdio: 'inherit' });
    } catch {
      // The API and the webhooks do not need the console: start anyway, /console/ shows what it can.
      console.warn('the console build failed (see above); starting the service without a fresh console');
    }
  }
}

process.argv[1] = entry;
await import(pathToFileURL(entry).href);
