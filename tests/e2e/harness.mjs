// End-to-end harness: serves the built dist/ on a free loopback port and drives Debian's Chromium
// through playwright-core. Every test file imports `openApp` and gets a page plus a console-error log.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
export const DIST = process.env.ATLAS_DIST ? path.resolve(process.env.ATLAS_DIST) : path.join(ROOT, "dist");
export const SHOTS = path.join(ROOT, "tests", "e2e", "screenshots");

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json",
};

/**
 * A static file server for `dir` on 127.0.0.1 (port chosen by the OS). Resolves to { url, close, requests }.
 * Options (all optional; the tests use none):
 *   entry    the file that must exist in `dir` (default index.html)
 *   headers  extra response headers, e.g. COOP/COEP to make the page cross-origin isolated
 *   roots    { "/url/prefix/": "/a/folder/or/file" } served next to `dir` (a file maps its exact path)
 * `requests` logs every request the server answered: { path, status, bytes }.
 */
export function serve(dir = DIST, { entry = "index.html", headers = {}, roots = {} } = {}) {
  if (!fs.existsSync(path.join(dir, entry))) {
    throw new Error(`${dir}/${entry} not found${dir === DIST ? ": build first (scripts/test.sh does)" : ""}.`);
  }
  const requests = [];
  // `file` if it is `base` itself or lies under it (no `..` escapes), else null.
  const inside = (base, file) => {
    const under = base.endsWith(path.sep) ? base : base + path.sep;
    return file === base || file.startsWith(under) ? file : null;
  };
  const resolveFile = (pathname) => {
    for (const [prefix, target] of Object.entries(roots)) {
      if (pathname === prefix || (prefix.endsWith("/") && pathname.startsWith(prefix))) {
        return inside(target, path.normalize(path.join(target, pathname.slice(prefix.length))));
      }
    }
    return inside(dir, path.normalize(path.join(dir, pathname)));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const pathname = decodeURIComponent(url.pathname);
    const answer = (status, bytes) => requests.push({ path: pathname, status, bytes });
    let file = resolveFile(pathname);
    if (!file) { res.writeHead(403); res.end(); answer(403, 0); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.stat(file, (err, stat) => {
      if (err || !stat.isFile()) { res.writeHead(404); res.end("not found"); answer(404, 0); return; }
      // Like most static hosts, allow any origin to read the files: a sandboxed embed (opaque origin)
      // loads its module script and wasm with CORS.
      res.writeHead(200, {
        "content-type": TYPES[path.extname(file)] || "application/octet-stream",
        "content-length": stat.size,
        "access-control-allow-origin": "*",
        ...headers,
      });
      fs.createReadStream(file).on("error", () => res.destroy()).pipe(res);
      answer(200, stat.size);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}/`, requests, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** Launches headless Chromium with the flags this machine needs and a fresh profile; `args` are added. */
export async function launch({ args = [] } = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "atlas-chrome-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1440, height: 1000 },
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ...args,
    ],
  });
  return { context, close: async () => { await context.close(); fs.rmSync(userDataDir, { recursive: true, force: true }); } };
}

/**
 * Opens `query` (e.g. "?view=sdpa&n=32") on a fresh server and browser. Returns { page, errors, requests, server, base, close }.
 * `errors` collects console errors, page errors and failed or off-origin requests (from the page and
 * its workers); `requests` lists every URL the browser requested.
 * `opts.initScript` (a function or source text) runs in the page before any of the page's own scripts.
 * `opts.dir` and `opts.serve` go to `serve`, `opts.launch` to `launch`; `opts.ready` is the selector
 * that marks the page as ready (default the app's `[data-testid=main]`).
 */
export async function openApp(query = "", opts = {}) {
  const server = await serve(opts.dir, opts.serve);
  const browser = await launch(opts.launch);
  const page = browser.context.pages()[0] || (await browser.context.newPage());
  const errors = [], requests = [];
  const local = (u) => u.startsWith(server.url) || u.startsWith("data:") || u.startsWith(`blob:${server.url}`);
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  browser.context.on("request", (r) => {
    requests.push(r.url());
    if (!local(r.url())) errors.push(`off-origin request: ${r.url()}`);
  });
  browser.context.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
  if (opts.initScript) await page.addInitScript(opts.initScript);
  await page.goto(server.url + query);
  await page.waitForSelector(opts.ready || "[data-testid=main]", { timeout: 30000 });
  return {
    page, errors, requests, server, base: server.url,
    close: async () => { await browser.close(); await server.close(); },
  };
}

/**
 * The shape of every end-to-end test: opens `query`, runs `body(app)`, then asserts that the page
 * logged no console error, page error or off-origin request, and closes the browser either way.
 */
export async function withApp(query, body, opts = {}) {
  const app = await openApp(query, opts);
  try {
    await body(app);
    assert.deepEqual(app.errors, []);
  } finally {
    await app.close();
  }
}

/** Waits until the view reports a finished computation newer than `after` runs. */
export async function waitForRuns(page, after = 0, metric = "sdpa_runs") {
  await page.waitForFunction(([m, a]) => window.__atlas && window.__atlas[m] > a, [metric, after], { timeout: 60000 });
  return page.evaluate((m) => window.__atlas[m], metric);
}

/** A cheap fingerprint of a canvas's pixels (FNV-1a over the RGBA bytes). */
export async function canvasHash(page, selector) {
  return page.$eval(selector, (c) => {
    const ctx = c.getContext("2d");
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261 >>> 0;
    for (let i = 0; i < d.length; i += 1) { h ^= d[i]; h = Math.imul(h, 16777619) >>> 0; }
    return `${c.width}x${c.height}:${h.toString(16)}`;
  });
}

/** Saves a screenshot under tests/e2e/screenshots/ (for people to look at). */
export async function shot(page, name, opts = {}) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), ...opts });
}

/** Sets a range input to a slider position (0..1000) and fires `input` as a drag would. */
export async function setRange(page, testId, position) {
  await page.$eval(`[data-testid="${testId}"]`, (el, p) => {
    el.value = String(p);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, position);
}
