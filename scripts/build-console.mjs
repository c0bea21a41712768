// Builds the agent console (src/console → dist/console) and, when present, the chat widget
// (src/console/widget → dist/console/widget.js). The console build empties dist/console, so it
// runs first; the widget build adds to the folder.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');

function build(config) {
  console.log(`vite build -c ${config}`);
  execFileSync(process.execPath, [vite, 'build', '-c', join(root, config)], { cwd: root, stdio: 'inherit' });
}

build('src/console/vite.config.ts');
if (existsSync(join(root, 'src', 'console', 'widget', 'vite.config.ts'))) build('src/console/widget/vite.config.ts');
