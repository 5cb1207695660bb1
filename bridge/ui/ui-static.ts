// Serves the web UI (renderer/dist, built by `npm run build:ui`) at / with an SPA fallback, and the app
// icons from assets/icons at /icons/. Hashed bundles are cached for good; everything else is revalidated.
// Mounted after the API (createHttpApp's extraHandlers), so it only sees paths no route answered.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isApiPath } from '../contracts/endpoints.js';

export interface UiStaticOptions {
  /** The built UI (index.html, assets/, manifest). */
  distDir: string;
  /** PNG icons referenced by the manifest. */
  iconsDir: string;
}

/**
 * The app's root: the nearest folder above this module with a package.json. That is the checkout when
 * run from source (bridge/ui) and the app when compiled into dist/bridge/ui or packaged in app.asar.
 */
function appRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** renderer/dist and assets/icons of this app. */
export function defaultUiPaths(root = appRoot()): UiStaticOptions {
  return { distDir: path.join(root, 'renderer', 'dist'), iconsDir: path.join(root, 'assets', 'icons') };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The page may load only its own scripts and talk only to its own origin (HTTP and socket.io's
 * WebSocket). Inline styles are allowed because xterm.js sizes its rows with a <style> element;
 * data:/blob: images are the pairing QR code and file previews.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');


const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

function securityHeaders(res: Response): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
}

/** A file inside `root` for a URL path, or null (missing, a folder, or an escape attempt). */
function fileIn(root: string, urlPath: string): { file: string; stat: fs.Stats } | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? { file, stat } : null;
  } catch {
    return null;
  }
}

async function sendFile(req: Request, res: Response, found: { file: string; stat: fs.Stats }, cacheControl: string): Promise<void> {
  const ext = path.extname(found.file).toLowerCase();
  const modified = new Date(Math.floor(found.stat.mtimeMs / 1000) * 1000);
  securityHeaders(res);
  res.setHeader('Content-Type', TYPES[ext] ?? 'application/octet-stream');
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('Last-Modified', modified.toUTCString());
  if (ext === '.html') res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  const since = req.get('if-modified-since');
  if (since && Date.parse(since) >= modified.getTime()) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Length', String(found.stat.size));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    await pipeline(fs.createReadStream(found.file), res);
  } catch {
    res.destroy();
  }
}

function wantsHtml(req: Request): boolean {
  return (req.get('accept') ?? '').includes('text/html');
}

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>Vigilink</title>
<body style="font:16px system-ui;max-width:36em;margin:4em auto;padding:0 1em">
<h1>The Vigilink UI is not built</h1><p>Run <code>npm run build:ui</code> (or <code>npm run serve</code>, which builds it), then reload.</p>`;

export function uiHandler(options: UiStaticOptions = defaultUiPaths()): RequestHandler {
  const distDir = path.resolve(options.distDir);
  const iconsDir = path.resolve(options.iconsDir);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const urlPath = req.path;
    // An unknown API path stays a JSON 404, never the UI's index.html.
    if (isApiPath(urlPath)) return next();

    if (urlPath.startsWith('/icons/')) {
      const icon = fileIn(iconsDir, urlPath.slice('/icons'.length));
      return icon ? void sendFile(req, res, icon, 'public, max-age=86400') : next();
    }
    if (urlPath !== '/' && urlPath !== '/index.html') {
      const asset = fileIn(distDir, urlPath);
      if (asset) return void sendFile(req, res, asset, urlPath.startsWith('/assets/') ? IMMUTABLE : REVALIDATE);
      // A missing bundle or a path with an extension is a real 404, not the app.
      if (urlPath.startsWith('/assets/') || path.extname(urlPath) !== '') return next();
    }
    if (!wantsHtml(req) && urlPath !== '/' && urlPath !== '/index.html') return next();
    const index = fileIn(distDir, '/index.html');
    if (index) return void sendFile(req, res, index, REVALIDATE);
    securityHeaders(res);
    res.status(503).type('html').setHeader('Cache-Control', 'no-store').send(NOT_BUILT_PAGE);
  };
}
