import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import { projectRoot } from '../../paths.js';
import type { HttpDeps } from '../deps.js';

/** Where `node scripts/build-console.mjs` puts the console (src/console/vite.config.ts) and the widget. */
export const defaultConsoleDir = join(projectRoot, 'dist', 'console');

/**
 * The console loads only its own files and talks only to its own origin; inline styles are
 * allowed because React sets style attributes. Nobody may frame it (clickjacking an agent).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** One small SVG for every page, built or not, so no page asks for a /favicon.ico that is missing (issue 14 item 6). */
const favicon = readFileSync(join(projectRoot, 'src', 'console', 'favicon.svg'));

const NOT_BUILT =
  '客服工作台尚未构建：请运行 `node scripts/build-console.mjs`（`npm start` 会自动构建）。\n' +
  'The console is not built: run `node scripts/build-console.mjs` (`npm start` builds it when needed).\n';

/** The file a request path names inside `dir`, or null when the path is malformed or leaves `dir`. */
export function resolveInside(dir: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  // resolve() folds every `..`; what is left must still be `dir` or below it.
  const file = resolve(dir, '.' + sep + decoded);
  return file === dir || file.startsWith(dir + sep) ? file : null;
}

async function fileStat(path: string) {
  try {
    const s = await stat(path);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

/** Sends one file with its type, validators and cache policy; 304 when the browser's copy is current. */
async function sendFile(ctx: Context, path: string, cacheControl: string): Promise<boolean> {
  const s = await fileStat(path);
  if (!s) return false;
  ctx.set('Cache-Control', cacheControl);
  ctx.set('Last-Modified', s.mtime.toUTCString());
  ctx.set('ETag', `W/"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"`);
  ctx.type = extname(path) || 'application/octet-stream';
  ctx.status = 200;
  if (ctx.fresh) {
    ctx.status = 304;
    return true;
  }
  ctx.length = s.size;
  // HEAD: Koa sends the headers only; opening a stream nobody reads would leak a file handle.
  if (ctx.method !== 'HEAD') ctx.body = createReadStream(path);
  return true;
}

/**
 * /console/…: the built SPA. A path naming a file gets that file; any other path gets index.html
 * (the console routes in the browser), except under assets/, where a missing hashed file is a real
 * 404 (an HTML answer there would only break a stale page in a confusing way). Hashed assets are
 * cached for a year, index.html is revalidated every time so a new build shows at once.
 * /widget.js: the embeddable chat widget from the same folder.
 */
export function consoleRoutes(_deps: HttpDeps, dir: string = defaultConsoleDir): Router {
  const root = resolve(dir);
  const index = join(root, 'index.html');
  const router = new Router();

  const serveConsole = async (ctx: Context) => {
    ctx.set('Content-Security-Policy', CONSOLE_CSP);
    ctx.set('X-Frame-Options', 'DENY');
    if (!(await fileStat(index))) {
      ctx.status = 503;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = NOT_BUILT;
      return;
    }
    const rest = ctx.path === '/console' ? '' : ctx.path.slice('/console/'.length);
    const file = resolveInside(root, rest);
    if (file === null) {
      ctx.status = 400;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'bad path\n';
      return;
    }
    if (file !== root && file !== index) {
      const isAsset = relative(root, file).split(sep)[0] === 'assets';
      if (await sendFile(ctx, file, isAsset ? 'public, max-age=31536000, immutable' : 'no-cache')) return;
      if (isAsset) {
        ctx.status = 404;
        ctx.type = 'text/plain; charset=utf-8';
        ctx.body = 'not found\n';
        return;
      }
    }
    await sendFile(ctx, index, 'no-cache');
  };

  router.get('/console', serveConsole);
  router.get('/console/{*path}', serveConsole);
  const serveFavicon = (ctx: Context) => {
    ctx.type = 'image/svg+xml';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = favicon;
  };
  router.get('/favicon.ico', serveFavicon);
  router.get('/favicon.svg', serveFavicon);
  router.get('/widget.js', async (ctx) => {
    // Shops embed the widget on their own sites: let any page load it as a script.
    ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
    if (await sendFile(ctx, join(root, 'widget.js'), 'no-cache')) return;
    ctx.status = 404;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = '// widget not built: run `node scripts/build-console.mjs`\n';
  });
  return router;
}
