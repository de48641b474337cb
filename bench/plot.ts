#!/usr/bin/env node
// Draws docs/scaling.svg from the benchmark results in docs/data/ (written by
// bench/scale.ts and bench/preview.ts): seconds against hosts for dsas check,
// dsas render and pulumi preview, with the targets as dashed lines.
//   node bench/plot.ts
import { readFileSync, writeFileSync } from "node:fs";
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
