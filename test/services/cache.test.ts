// The cache tier's files, checked by the real daemons: `squid -k parse` on
// each squid node and `nginx -t` (Debian's nginx.conf including ours) on each
// front, each run as that host: its name, interfaces and rendered files.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Model } from "../../components/model/normalize.ts";
import type { HostFile } from "../../components/plan/files.ts";
import { planCacheTier } from "../../components/plan/plan.ts";
import { frontConfPath } from "../../components/services/nginx.ts";
import { SQUID_CONF } from "../../components/services/squid.ts";
import { exampleRaw, filesBy, modelOf, ROOT } from "../helpers/example.ts";
import { runOnHost } from "../helpers/sandbox.ts";

const GOLDEN = join(ROOT, "test/golden/example");
const raw = exampleRaw() as { cacheTiers: { images: object } };
const example = modelOf(raw);
const renderCacheTier = (m: Model, tier: string) => filesBy(planCacheTier(m.cacheTiers[tier]));

function withTier(change: object): Model {
  return modelOf({ ...raw, cacheTiers: { images: { ...raw.cacheTiers.images, ...change } } });
}

const content = (files: HostFile[], path: string) => files.find((f) => f.path === path)!.content;

/** Runs `command` on `host`; fails on a non-zero exit or any `bad` line, showing the output. */
function expectClean(topo: Model, host: string, files: HostFile[], command: string, bad: (line: string) => boolean) {
  const r = runOnHost({ hostname: host, interfaces: topo.hosts[host].interfaces, files }, command);
  const problems = r.output.split("\n").filter(bad);
  expect({ code: r.code, problems }, `${host}: ${command}\n${r.output}`).toEqual({ code: 0, problems: [] });
  return r.output;
}

// squid echoes each directive as "Processing: ..."; only its own messages count.
const squidClean = (topo: Model, host: string, files: HostFile[]) =>
  expectClean(topo, host, files, "squid -k parse -f /etc/squid/squid.conf 2>&1",
    (l) => !l.includes("| Processing: ") && /WARNING|ERROR|FATAL/i.test(l));
const nginxClean = (topo: Model, host: string, files: HostFile[]) =>
  expectClean(topo, host, files, "nginx -t 2>&1", (l) => /\[(warn|error|crit|alert|emerg)\]/.test(l));

describe("renderCacheTier on the example's images tier", () => {
  const rendered = renderCacheTier(example, "images");

  it("renders squid.conf on both squids and the front's nginx files", () => {
    expect(Object.fromEntries(Object.entries(rendered).map(([h, fs]) => [h, fs.map((f) => `${f.service} ${f.path}`)]))).toEqual({
      cache1: ["squid /etc/squid/squid.conf"],
      cache2: ["squid /etc/squid/squid.conf"],
      img1: ["nginx /etc/nginx/conf.d/dsas-cache-images.conf", "nginx /etc/nginx/sites-enabled/default"],
    });
  });

  it.each(["cache1", "cache2"])("%s: squid -k parse accepts squid.conf without a warning", (host) => {
    expect(squidClean(example, host, rendered[host])).toContain("Processing Configuration File: /etc/squid/squid.conf");
  });

  it("img1: nginx -t accepts Debian's nginx.conf with our conf.d file, without a warning", () => {
    expect(nginxClean(example, "img1", rendered.img1)).toContain("test is successful");
  });

  it("hashes URIs over both squids with a consistent hash", () => {
    const conf = content(rendered.img1, frontConfPath("images"));
    expect(conf).toMatch(/upstream dsas_cache_images \{\n\s+hash \$request_uri consistent;\n\s+server 10\.0\.1\.1:3128 [^;]*;.*\n\s+server 10\.0\.1\.2:3128 [^;]*;/);
    expect(conf).toContain("proxy_pass http://dsas_cache_images;");
  });

  it("sends a request a dead squid does not take on to the next one, and rests that squid a while", () => {
    const conf = content(rendered.img1, frontConfPath("images"));
    expect(conf).toContain("    server 10.0.1.1:3128 max_fails=1 fail_timeout=10s;  # cache1\n");
    for (const line of ["proxy_connect_timeout 2s;", "proxy_read_timeout 60s;", "proxy_next_upstream error timeout;", "proxy_next_upstream_tries 2;"]) expect(conf).toContain(`        ${line}\n`);
    const topo = withTier({ squidFailures: { connectTimeoutSeconds: 1, readTimeoutSeconds: 20, retryOn: ["error", "timeout", "http_503", "error"], attempts: 3, maxFails: 0, failTimeoutSeconds: 30 } });
    const files = renderCacheTier(topo, "images").img1;
    const tuned = content(files, frontConfPath("images"));
    expect(tuned).toContain("    server 10.0.1.2:3128 max_fails=0 fail_timeout=30s;  # cache2\n");
    for (const line of ["proxy_connect_timeout 1s;", "proxy_read_timeout 20s;", "proxy_next_upstream error timeout http_503;", "proxy_next_upstream_tries 3;"]) expect(tuned).toContain(`        ${line}\n`);
    nginxClean(topo, "img1", files);
    const never = withTier({ squidFailures: { retryOn: [] } });
    const off = renderCacheTier(never, "images").img1;
    expect(content(off, frontConfPath("images"))).toContain("        proxy_next_upstream off;\n");
    nginxClean(never, "img1", off);
  });

  it("a named front leaves Debian's default site in place and passes nginx -t beside it", () => {
    const topo = withTier({ serverName: "img.example.com" });
    const files = renderCacheTier(topo, "images").img1;
    expect(files.map((f) => f.path)).toEqual([frontConfPath("images")]);
    expect(files[0].content).toContain("    listen 80;\n    server_name img.example.com;\n");
    nginxClean(topo, "img1", files);
  });

  it("matches the golden files", () => {
    for (const [host, files] of Object.entries(rendered)) {
      for (const f of files) {
        const golden = join(GOLDEN, host, f.path);
        if (process.env.UPDATE_GOLDEN === "1") {
          mkdirSync(dirname(golden), { recursive: true });
          writeFileSync(golden, f.content);
        }
        expect(f.content, golden).toBe(readFileSync(golden, "utf8"));
      }
    }
  });
});

describe.each([
  { mode: "icp", lines: ["icp_port 3130", "cache_peer 10.0.1.2 sibling 3128 3130 proxy-only no-digest name=cache2", "icp_access allow dsas_siblings"] },
  { mode: "htcp", lines: ["htcp_port 4827", "cache_peer 10.0.1.2 sibling 3128 4827 htcp proxy-only no-digest name=cache2", "htcp_access allow dsas_siblings"] },
  { mode: "none", lines: [] },
])("siblings: $mode", ({ mode, lines }) => {
  const topo = withTier({ siblings: mode });
  const rendered = renderCacheTier(topo, "images");
  const squids = ["cache1", "cache2"].map((h) => ({ host: h, conf: content(rendered[h], SQUID_CONF) }));

  it("declares the siblings for this mode, memory only", () => {
    const cache1 = squids[0].conf.split("\n");
    expect(cache1).toEqual(expect.arrayContaining(lines));
    for (const { conf } of squids) {
      expect(conf).not.toMatch(/cache_dir/);
      const siblings = conf.split("\n").filter((l) => /^cache_peer \S+ sibling /.test(l));
      expect(siblings).toHaveLength(mode === "none" ? 0 : 1);
      for (const s of siblings) expect(s, "a sibling squid never consults").not.toMatch(/no-query.*no-digest|no-digest.*no-query/);
    }
  });

  it.each(squids.map((s) => s.host))("%s: squid -k parse accepts it without a warning", (host) => {
    squidClean(topo, host, rendered[host]);
  });
});
