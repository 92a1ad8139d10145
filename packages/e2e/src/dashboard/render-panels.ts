import { existsSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import { panelSeries, type Scrape, type Series } from "./panel-series.js";

interface Panel {
  readonly title: string;
  readonly type: string;
  readonly gridPos: { x: number; y: number; w: number; h: number };
  readonly fieldConfig?: { defaults?: { unit?: string } };
  readonly targets: readonly { expr: string; legendFormat?: string }[];
}

const COLORS = ["#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1", "#ba43a9", "#705da0"];
const CELL_W = 62; // px per Grafana grid column (24 columns)
const CELL_H = 38; // px per grid row
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function formatValue(v: number, unit: string | undefined): string {
  const abs = Math.abs(v);
  if (unit === "bytes") {
    const units = ["B", "KiB", "MiB", "GiB"];
    let i = 0;
    let x = v;
    while (Math.abs(x) >= 1024 && i < units.length - 1) {
      x /= 1024;
      i++;
    }
    return `${x.toFixed(x >= 100 ? 0 : 1)} ${units[i]}`;
  }
  if (unit === "s") {
    if (abs >= 3600) return `${(v / 3600).toFixed(1)} h`;
    if (abs >= 60) return `${(v / 60).toFixed(1)} min`;
    if (abs >= 1 || v === 0) return `${v.toFixed(abs >= 10 ? 0 : 1)} s`;
    return `${(v * 1000).toFixed(abs >= 0.01 ? 0 : 1)} ms`;
  }
  const n = abs >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(abs >= 10 || Number.isInteger(v) ? 0 : 2);
  return unit === "ops" ? `${n}/s` : n;
}

function panelSvg(panel: Panel, scrapes: readonly Scrape[]): string {
  const x = panel.gridPos.x * CELL_W + 8;
  const y = panel.gridPos.y * CELL_H + 56;
  const w = panel.gridPos.w * CELL_W - 8;
  const h = panel.gridPos.h * CELL_H - 8;
  const unit = panel.fieldConfig?.defaults?.unit;
  const series: Series[] = panel.targets.flatMap((t) => panelSeries(t.expr, t.legendFormat ?? "", scrapes));
  const parts = [
    `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="3" fill="#181b1f" stroke="#2c3235"/>`,
    `<text x="${x + 10}" y="${y + 20}" fill="#ccccdc" font-size="13" font-weight="bold">${esc(panel.title)}</text>`,
  ];
  if (panel.type === "stat") {
    const last = series[0]?.points.at(-1)?.v;
    parts.push(
      `<text x="${x + w / 2}" y="${y + h / 2 + 18}" fill="#73bf69" font-size="40" text-anchor="middle">${last === undefined ? "–" : esc(formatValue(last, unit))}</text>`,
    );
    return parts.join("");
  }
  const t0 = scrapes[0]!.t;
  const t1 = scrapes.at(-1)!.t;
  const values = series.flatMap((s) => s.points.map((p) => p.v));
  const lo = Math.min(0, ...values);
  const hi = Math.max(lo + 1e-9, ...values) * 1.1 || 1;
  const plot = { x: x + 62, y: y + 32, w: w - 76, h: h - 78 };
  const px = (t: number) => plot.x + ((t - t0) / Math.max(t1 - t0, 1)) * plot.w;
  const py = (v: number) => plot.y + plot.h - ((v - lo) / (hi - lo)) * plot.h;
  for (let i = 0; i <= 3; i++) {
    const v = lo + ((hi - lo) * i) / 3;
    parts.push(
      `<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${py(v)}" y2="${py(v)}" stroke="#2c3235"/>`,
      `<text x="${plot.x - 6}" y="${py(v) + 4}" fill="#8e8e8e" font-size="10" text-anchor="end">${esc(formatValue(v, unit))}</text>`,
    );
  }
  parts.push(
    `<text x="${plot.x}" y="${plot.y + plot.h + 14}" fill="#8e8e8e" font-size="10">0 s</text>`,
    `<text x="${plot.x + plot.w}" y="${plot.y + plot.h + 14}" fill="#8e8e8e" font-size="10" text-anchor="end">${Math.round((t1 - t0) / 1000)} s</text>`,
  );
  series.slice(0, 8).forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const d = s.points
      .map((p, j) => `${j === 0 ? "M" : "L"}${px(p.t).toFixed(1)},${py(p.v).toFixed(1)}`)
      .join(" ");
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
    const lx = x + 10 + (i % 2) * (w / 2);
    const ly = y + h - 24 + Math.floor(i / 2) * 12;
    if (ly < y + h - 2)
      parts.push(
        `<rect x="${lx}" y="${ly - 7}" width="10" height="3" fill="${color}"/>`,
        `<text x="${lx + 14}" y="${ly - 2}" fill="#ccccdc" font-size="10">${esc(s.label.slice(0, 44) || "value")}</text>`,
      );
  });
  return parts.join("");
}

/** The dashboard's panels as an SVG drawn from the scrapes (dark, Grafana-like), then a PNG. */
export function renderDashboardPng(
  dashboardJson: string,
  scrapes: readonly Scrape[],
  caption: string,
): Buffer {
  const dashboard = JSON.parse(dashboardJson) as { title: string; panels: Panel[] };
  const width = 24 * CELL_W + 8;
  const height = Math.max(...dashboard.panels.map((p) => p.gridPos.y + p.gridPos.h)) * CELL_H + 64;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="100%" height="100%" fill="#111217"/>`,
    `<text x="10" y="26" fill="#ccccdc" font-size="18" font-weight="bold">${esc(dashboard.title)}</text>`,
    `<text x="10" y="44" fill="#8e8e8e" font-size="11">${esc(caption)}</text>`,
    ...dashboard.panels.map((p) => panelSvg(p, scrapes)),
    "</svg>",
  ].join("\n");
  const font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  const resvg = new Resvg(svg, {
    font: existsSync(font)
      ? {
          fontFiles: [font, font.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")],
          loadSystemFonts: false,
          defaultFontFamily: "DejaVu Sans",
        }
      : { loadSystemFonts: true },
  });
  return resvg.render().asPng();
}
