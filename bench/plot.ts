#!/usr/bin/env node
// Draws the benchmark pictures from the results in docs/data/:
// docs/scaling.svg (bench/scale.ts, bench/preview.ts): seconds against hosts
// for dsas check, dsas render and pulumi preview, with the targets as dashed
// lines; docs/failover.svg (bench/failover.ts): each request through the VIP
// around a failover, answered or failed, beside the physical limit.
//   node bench/plot.ts
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const read = (f: string) => JSON.parse(readFileSync(join(ROOT, "docs/data", f), "utf8")) as Record<string, number>[];
const scale = read("scale.json");
const preview = read("preview.json");

const series = [
  { label: "pulumi preview", color: "#1f6fb2", points: preview.map((r) => [r.hosts, r.previewS]) },
  { label: "dsas render to disk", color: "#c0392b", points: scale.map((r) => [r.hosts, r.renderDiskS]) },
  { label: "dsas render to tmpfs", color: "#27855a", points: scale.map((r) => [r.hosts, r.renderTmpfsS]) },
  { label: "dsas check", color: "#7f5fb2", points: scale.map((r) => [r.hosts, r.checkS]) },
];
const targets = [{ label: "preview target 60 s", y: 60 }, { label: "render target 2 s", y: 2 }];

// Log scales on both axes: the costs span two decades.
const W = 640, H = 400, L = 70, R = 190, T = 30, B = 50;
const xs = series.flatMap((s) => s.points.map((p) => p[0]));
const ys = [...series.flatMap((s) => s.points.map((p) => p[1])), ...targets.map((t) => t.y)];
const [x0, x1] = [Math.log10(Math.min(...xs)), Math.log10(Math.max(...xs))];
const [y0, y1] = [Math.floor(Math.log10(Math.min(...ys))), Math.ceil(Math.log10(Math.max(...ys)))];
const px = (x: number) => L + ((Math.log10(x) - x0) / (x1 - x0)) * (W - L - R);
const py = (y: number) => H - B - ((Math.log10(y) - y0) / (y1 - y0)) * (H - T - B);
const f = (n: number) => n.toFixed(1);

const out: string[] = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  `<rect width="${W}" height="${H}" fill="white"/>`,
  `<text x="${L}" y="18" font-size="14">Cost by stack size (seconds, log scales; 2 cores)</text>`,
];
for (let e = y0; e <= y1; e++) {
  const y = py(10 ** e);
  out.push(`<line x1="${L}" y1="${f(y)}" x2="${W - R}" y2="${f(y)}" stroke="#e5e5e5"/>`,
    `<text x="${L - 8}" y="${f(y + 4)}" text-anchor="end">${e >= 0 ? 10 ** e : (10 ** e).toFixed(-e)} s</text>`);
}
for (const x of [...new Set(xs)]) {
  out.push(`<line x1="${f(px(x))}" y1="${T}" x2="${f(px(x))}" y2="${H - B}" stroke="#e5e5e5"/>`,
    `<text x="${f(px(x))}" y="${H - B + 18}" text-anchor="middle">${x}</text>`);
}
out.push(`<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">hosts in the stack</text>`);
for (const t of targets) {
  out.push(`<line x1="${L}" y1="${f(py(t.y))}" x2="${W - R}" y2="${f(py(t.y))}" stroke="#888" stroke-dasharray="5,4"/>`,
    `<text x="${W - R + 6}" y="${f(py(t.y) + 4)}" fill="#666">${t.label}</text>`);
}
series.forEach((s, i) => {
  out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join(" ")}"/>`);
  for (const [x, y] of s.points) out.push(`<circle cx="${f(px(x))}" cy="${f(py(y))}" r="3" fill="${s.color}"/>`);
  out.push(`<rect x="${W - R + 6}" y="${T + 60 + i * 20}" width="12" height="3" fill="${s.color}"/>`,
    `<text x="${W - R + 24}" y="${T + 65 + i * 20}">${s.label}</text>`);
});
out.push("</svg>");
writeFileSync(join(ROOT, "docs/scaling.svg"), `${out.join("\n")}\n`);

interface FailoverRun {
  variant: string; limitS: number; vipGapS: number; gapS: number; failed: number; requests: number;
  timeline: { t: number; ok: boolean }[];
  echoes?: number[];
}
const failoverData = join(ROOT, "docs/data/failover.json");
if (existsSync(failoverData)) {
  const all = JSON.parse(readFileSync(failoverData, "utf8")) as FailoverRun[];
  // Per variant, the run with the median gap; time 0 is the last answer before the outage.
  const shown = [...new Set(all.map((r) => r.variant))].map((v) => {
    const rs = all.filter((r) => r.variant === v).sort((a, b) => a.gapS - b.gapS);
    return rs[Math.floor(rs.length / 2)];
  });
  const [t0, t1] = [-4, 10];
  const W2 = 760, L2 = 200, R2 = 20, T2 = 56, ROW = 84, H2 = T2 + ROW * shown.length + 66;
  const tx = (t: number) => L2 + ((t - t0) / (t1 - t0)) * (W2 - L2 - R2);
  const lanes = [
    { label: "VIP answers ping", color: "#1f6fb2", dy: 0 },
    { label: "HTTP answered", color: "#27855a", dy: 20 },
    { label: "HTTP failed", color: "#c0392b", dy: 40 },
  ];
  const svg: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W2}" height="${H2}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W2}" height="${H2}" fill="white"/>`,
    `<text x="8" y="18" font-size="14">Through the VIP while the master director's VM is frozen (client VM, lab under qemu TCG)</text>`,
    `<text x="8" y="36" fill="#666">ticks: ICMP echo replies from the VIP every 50 ms; HTTP requests on new connections, 4 at a time.</text>`,
    `<text x="8" y="50" fill="#666">Dashed box: the physical limit, 3 x advert_int + skew, from the last answer before the outage.</text>`,
  ];
  for (let t = t0; t <= t1; t += 2) {
    svg.push(`<line x1="${f(tx(t))}" y1="${T2}" x2="${f(tx(t))}" y2="${T2 + ROW * shown.length}" stroke="#eee"/>`,
      `<text x="${f(tx(t))}" y="${T2 + ROW * shown.length + 16}" text-anchor="middle">${t} s</text>`);
  }
  svg.push(`<text x="${(L2 + W2 - R2) / 2}" y="${T2 + ROW * shown.length + 34}" text-anchor="middle">seconds since the last answered request before the outage</text>`);
  shown.forEach((r, i) => {
    const y = T2 + ROW * i + 10;
    svg.push(`<text x="8" y="${y + 12}" font-weight="bold">${r.variant}</text>`,
      `<text x="8" y="${y + 30}" fill="#666">VIP silent ${r.vipGapS.toFixed(2)} s (limit ${r.limitS.toFixed(2)} s)</text>`,
      `<text x="8" y="${y + 48}" fill="#666">HTTP gap ${r.gapS.toFixed(2)} s, ${r.failed} of ${r.requests} failed</text>`,
      `<rect x="${f(tx(0))}" y="${y - 2}" width="${f(tx(r.limitS) - tx(0))}" height="58" fill="none" stroke="#555" stroke-dasharray="4,3"/>`);
    const tick = (t: number, lane: (typeof lanes)[number]) => {
      if (t >= t0 && t <= t1) svg.push(`<line x1="${f(tx(t))}" y1="${y + lane.dy}" x2="${f(tx(t))}" y2="${y + lane.dy + 14}" stroke="${lane.color}" stroke-opacity="0.7"/>`);
    };
    for (const t of r.echoes ?? []) tick(t, lanes[0]);
    for (const a of r.timeline) tick(a.t, a.ok ? lanes[1] : lanes[2]);
  });
  const drawn = shown.some((r) => r.echoes?.length) ? lanes : lanes.slice(1);
  drawn.forEach((lane, i) => svg.push(`<rect x="${L2 + i * 140}" y="${H2 - 20}" width="10" height="10" fill="${lane.color}"/>`,
    `<text x="${L2 + 14 + i * 140}" y="${H2 - 11}">${lane.label}</text>`));
  svg.push("</svg>");
  writeFileSync(join(ROOT, "docs/failover.svg"), `${svg.join("\n")}\n`);
}
