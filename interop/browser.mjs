// browser.mjs: the ArcGIS Maps SDK for JavaScript (@arcgis/core, from
// node_modules) in headless Chromium against mosaic serve (MOSAIC_URL).
//
// A small static server on loopback serves the test page and the SDK from
// node_modules (an import map resolves the SDK's own imports), and proxies
// /arcgis/ to mosaic for the same-origin case. It listens on ALLOWED_PORT,
// the origin mosaic serve was given with --cors-origin, and on another port
// that mosaic does not allow. Chromium is Debian's (/usr/bin/chromium),
// driven by playwright-core, which downloads no browser of its own. Every
// request that is not to 127.0.0.1 is blocked and reported: the SDK must
// work offline.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, "node_modules");
const mosaic = new URL(process.env.MOSAIC_URL);
const allowedPort = Number(process.env.ALLOWED_PORT);
let failures = 0;
const check = (ok, what, detail = "") => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? ": " + detail : ""}`);
  if (!ok) failures++;
};

// The import map: the bare specifiers @arcgis/core imports.
function importMap() {
  const imports = {
    "@arcgis/core/": "/node_modules/@arcgis/core/",
    tslib: "/node_modules/tslib/tslib.es6.mjs",
    luxon: "/node_modules/luxon/build/es6/luxon.mjs",
    marked: "/node_modules/marked/lib/marked.esm.js",
    "@esri/arcgis-html-sanitizer": "/node_modules/@esri/arcgis-html-sanitizer/dist/esm/index.js",
    "@zip.js/zip.js": "/node_modules/@zip.js/zip.js/index.js",
    "@esri/calcite-components/": "/node_modules/@esri/calcite-components/",
    "@amcharts/amcharts5/": "/node_modules/@amcharts/amcharts5/",
    "@vaadin/grid/": "/node_modules/@vaadin/grid/",
  };
  const toolkit = JSON.parse(fs.readFileSync(path.join(modules, "@arcgis/toolkit/package.json"), "utf8"));
  for (const [sub, target] of Object.entries(toolkit.exports ?? {})) {
    const file = typeof target === "string" ? target : target.import ?? target.default;
    if (typeof file === "string" && sub.startsWith("./")) {
      imports["@arcgis/toolkit" + sub.slice(1)] = "/node_modules/@arcgis/toolkit/" + file.replace(/^\.\//, "");
    }
  }
  return { imports };
}

const page = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>mosaic interop</title>
<script type="importmap">${JSON.stringify(importMap())}</script>
<script type="module">
import esriConfig from "@arcgis/core/config.js";
import ImageryLayer from "@arcgis/core/layers/ImageryLayer.js";
esriConfig.assetsPath = "/node_modules/@arcgis/core/assets";
window.runTest = async (url) => {
  try {
    return await query(url);
  } catch (e) {
    return { failed: [e?.name, e?.message, e?.details?.error?.message ?? e?.details?.url].filter(Boolean).join(": ") || String(e) };
  }
};
const query = async (url) => {
  const layer = new ImageryLayer({ url });
  await layer.load();
  const count = await layer.queryRasterCount({ where: "1=1" });
  const ids = await layer.queryObjectIds({ where: "OBJECTID <= 2" });
  const rasters = await layer.queryRasters({ where: "1=1", outFields: ["*"], returnGeometry: true, num: 5 });
  return {
    loaded: layer.loaded,
    bandCount: layer.serviceRasterInfo?.bandCount ?? layer.bandCount,
    pixelType: layer.serviceRasterInfo?.pixelType ?? layer.pixelType,
    timeField: layer.timeInfo?.startField ?? null,
    count, ids: ids.length, features: rasters.features.length,
    geometry: rasters.features[0]?.geometry?.type ?? null,
  };
};
window.sdkReady = true;
</script></head><body>mosaic interop</body></html>`;

const types = { ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json", ".css": "text/css",
  ".wasm": "application/wasm", ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2", ".woff": "font/woff" };

function serve(req, res) {
  const u = new URL(req.url, "http://127.0.0.1");
  if (u.pathname === "/") {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    return res.end(page);
  }
  if (u.pathname.startsWith("/arcgis/")) {
    // Same-origin case: the page's own origin forwards to mosaic.
    const p = http.request({ host: mosaic.hostname, port: mosaic.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    p.on("error", (e) => { res.writeHead(502); res.end(String(e)); });
    return req.pipe(p);
  }
  if (u.pathname.startsWith("/node_modules/")) {
    const file = path.normalize(path.join(here, decodeURIComponent(u.pathname)));
    if (!file.startsWith(modules + path.sep)) {
      res.writeHead(403);
      return res.end();
    }
    return fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(200, { "Content-Type": types[path.extname(file)] ?? "application/octet-stream" });
      res.end(data);
    });
  }
  res.writeHead(404);
  res.end();
}

const listen = (port) => new Promise((resolve, reject) => {
  const s = http.createServer(serve);
  s.on("error", reject);
  s.listen(port, "127.0.0.1", () => resolve(s));
});

async function run(browser, pageOrigin, layerURL) {
  const context = await browser.newContext();
  const blocked = [];
  await context.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === "127.0.0.1") return route.continue();
    blocked.push(u.href);
    return route.abort();
  });
  const p = await context.newPage();
  const logs = [];
  p.on("console", (m) => { if (m.type() === "error") logs.push(m.text()); });
  p.on("pageerror", (e) => logs.push(String(e)));
  await p.goto(pageOrigin + "/");
  await p.waitForFunction(() => window.sdkReady === true, null, { timeout: 60000 });
  let result, error;
  try {
    result = await p.evaluate((url) => window.runTest(url), layerURL);
  } catch (e) {
    error = String(e.message ?? e).replace(/\s+/g, " ").slice(0, 160);
  }
  if (result?.failed) {
    error = result.failed;
    result = undefined;
  }
  await context.close();
  return { result, error, blocked, logs };
}

async function main() {
  const allowed = await listen(allowedPort);
  const other = await listen(0);
  const otherPort = other.address().port;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
  try {
    const pageOK = `http://127.0.0.1:${allowedPort}`;
    const cases = [
      { name: "same-origin, tiffs (GeoTIFF headers)", origin: pageOK, layer: `${pageOK}/arcgis/rest/services/Hosted/tiffs/ImageServer`, want: { count: 2, bandCount: 4 } },
      { name: "same-origin, scenes (manifest items)", origin: pageOK, layer: `${pageOK}/arcgis/rest/services/Hosted/scenes/ImageServer`, wantTime: true },
      { name: "cross-origin with --cors-origin", origin: pageOK, layer: `${mosaic.origin}/arcgis/rest/services/Hosted/tiffs/ImageServer`, want: { count: 2, bandCount: 4 } },
    ];
    for (const c of cases) {
      const { result, error, blocked, logs } = await run(browser, c.origin, c.layer);
      if (!result) {
        check(false, c.name, `${error}; console: ${logs.slice(0, 3).join(" | ")}; blocked: ${blocked.slice(0, 5).join(" ")}`);
        continue;
      }
      let ok = result.loaded && result.count > 0 && result.features > 0 && result.ids > 0 && result.geometry === "polygon";
      if (c.want) ok &&= result.count === c.want.count && result.bandCount === c.want.bandCount;
      if (c.wantTime) ok &&= result.timeField === "AcquisitionDate";
      check(ok, `ImageryLayer ${c.name}: load, queryRasterCount, queryObjectIds, queryRasters`, JSON.stringify(result));
      if (blocked.length) console.log(`     (blocked off-loopback requests: ${blocked.join(" ")})`);
    }
    // A page from an origin mosaic does not list cannot read it.
    const { result, error } = await run(browser, `http://127.0.0.1:${otherPort}`, `${mosaic.origin}/arcgis/rest/services/Hosted/tiffs/ImageServer`);
    check(!result && !!error, "an origin not listed with --cors-origin is refused by the browser", error ?? JSON.stringify(result));
  } finally {
    await browser.close();
    allowed.close();
    other.close();
  }
}

main().then(
  () => {
    console.log(failures ? `browser.mjs: ${failures} failed` : "browser.mjs: all passed");
    process.exit(failures ? 1 : 0);
  },
  (e) => {
    console.error("browser.mjs:", e);
    process.exit(1);
  },
);
