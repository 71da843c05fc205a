import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitjobsError } from '../errors.js';
import type { HttpRoute } from '../http/route.js';

// The web console: a static page and its scripts, one more client of the
// daemon's Kubernetes API. Served without a token (they hold nothing
// secret; the page asks for one and sends it with every API call), from
// files read once, with no network access needed: Preact and htm come from
// the installed packages, not a CDN, and the page loads nothing else.

const require = createRequire(import.meta.url);
/** The page's own files, beside the sources (the build does not copy them). */
const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'console', 'static');

const IMPORT_MAP = JSON.stringify({ imports: { preact: '/console/vendor/preact.js', 'preact/hooks': '/console/vendor/hooks.js', htm: '/console/vendor/htm.js' } });

interface Asset {
  body: Buffer;
  type: string;
}

/**
 * A file of an installed package. Its root is found from the package's entry
 * point, since not every package exports its package.json (htm does not).
 */
function packageFile(pkg: string, file: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!isPackageRoot(dir, pkg)) {
    const up = dirname(dir);
    if (up === dir) throw new GitjobsError('Internal', `the console's ${pkg} package has no package.json above ${require.resolve(pkg)}`);
    dir = up;
  }
  return join(dir, file);
}

function isPackageRoot(dir: string, pkg: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === pkg;
  } catch {
    return false;
  }
}

function loadAssets(): Map<string, Asset> {
  const js = 'text/javascript; charset=utf-8';
  const files: [string, string, string][] = [
    ['/console/app.js', join(STATIC_DIR, 'app.js'), js],
    ['/console/yaml.js', join(STATIC_DIR, 'yaml.js'), js],
    ['/console/style.css', join(STATIC_DIR, 'style.css'), 'text/css; charset=utf-8'],
    ['/console/vendor/preact.js', packageFile('preact', 'dist/preact.mjs'), js],
    ['/console/vendor/hooks.js', packageFile('preact', 'hooks/dist/hooks.mjs'), js],
    ['/console/vendor/htm.js', packageFile('htm', 'dist/htm.module.js'), js],
  ];
  const assets = new Map<string, Asset>(files.map(([path, file, type]) => [path, { body: readFileSync(file), type }]));
  const html = readFileSync(join(STATIC_DIR, 'index.html'), 'utf8').replace('<!--IMPORT_MAP-->', `<script type="importmap">${IMPORT_MAP}</script>`);
  assets.set('/', { body: Buffer.from(html), type: 'text/html; charset=utf-8' });
  return assets;
}

/**
 * Scripts only from this origin, plus the one inline import map by its hash;
 * no inline handlers, no eval, no plugins, no framing: a log line or a label
 * that slipped through as HTML still could not run.
 */
const CSP = [
  "default-src 'none'",
  `script-src 'self' 'sha256-${createHash('sha256').update(IMPORT_MAP).digest('base64')}'`,
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function consoleRoutes(): HttpRoute[] {
  const assets = loadAssets();
  const serve: HttpRoute['handle'] = (req, res, access) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const asset = assets.get(path);
    // '/' is a prefix of every path: what no other route serves answers as the listener would without the console.
    if (asset === undefined && access === 'none') throw new GitjobsError('Unauthorized', 'Unauthorized');
    if (asset === undefined) throw new GitjobsError('NotFound', 'the server could not find the requested resource');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new GitjobsError('MethodNotAllowed', `${req.method ?? ''} ${path} is not supported`);
    res.writeHead(200, {
      'Content-Type': asset.type,
      'Content-Length': asset.body.length,
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  };
  return [
    { path: '/', auth: 'none', handle: serve },
    { path: '/console/', auth: 'none', handle: serve },
  ];
}
