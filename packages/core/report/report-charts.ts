import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import type { StoredBreadth } from "../pipeline/stored-breadth.ts";
import type { ReportPriceChart } from "./report-data.ts";

/**
 * The report's charts as inline SVG, drawn on the server by Apache ECharts' SSR SVG renderer
 * (`init(null, null, { renderer: "svg", ssr: true })` → `renderToSVGString()`): no script, font or
 * request is needed to view them. Each SVG has a viewBox, so CSS scales it to its container.
 */

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, SVGRenderer]);

/** One chart of the page: `name` is stable (tests and CSS find it by `data-chart`); the page shows `title` above the SVG. */
export interface RenderedChart {
  name: string;
  title: string;
  svg: string;
}

interface LineSpec {
  name: string;
  values: readonly (number | null)[];
  color: string;
  width?: number;
}

interface ChartSpec {
  dates: readonly string[];
  lines: LineSpec[];
  /** Bars instead of a line for the first series (e.g. new highs − new lows). @default false */
  bars?: boolean;
  /** Fixed y range, e.g. 0–100 for percentages; otherwise fitted to the data. */
  yMin?: number;
  yMax?: number;
  width: number;
  height: number;
}

const INK = "#1f2937";
const GRID_LINE = "#e5e7eb";
const MUTED = "#6b7280";

/** Draws one chart to an SVG string, always disposing of the ECharts instance. */
function renderSvg(spec: ChartSpec): string {
  const chart = echarts.init(null, null, {
    renderer: "svg",
    ssr: true,
    width: spec.width,
    height: spec.height,
  });
  try {
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: "system-ui, sans-serif", color: INK },
      legend:
        spec.lines.length > 1
          ? {
              top: 2,
              right: 8,
              itemWidth: 14,
              itemHeight: 2,
              selectedMode: false,
              textStyle: { fontSize: 11, color: MUTED },
            }
          : undefined,
      grid: {
        left: 8,
        right: 12,
        top: spec.lines.length > 1 ? 28 : 12,
        bottom: 8,
        // ECharts 6: keep the axis labels inside the box (what v5 called `containLabel`).
        outerBoundsMode: "same",
        outerBoundsContain: "axisLabel",
      },
      xAxis: {
        type: "category",
        data: [...spec.dates],
        boundaryGap: spec.bars === true,
        axisLabel: { fontSize: 11, color: MUTED, hideOverlap: true },
        axisLine: { lineStyle: { color: GRID_LINE } },
        axisTick: { show: false },
      },
      yAxis: {
        type: "value",
        scale: spec.yMin === undefined,
        min: spec.yMin,
        max: spec.yMax,
        splitNumber: 4,
        axisLabel: { fontSize: 11, color: MUTED },
        splitLine: { lineStyle: { color: GRID_LINE } },
      },
      series: spec.lines.map((line, i) =>
        spec.bars === true && i === 0
          ? {
              type: "bar",
              name: line.name,
              data: [...line.values],
              barCategoryGap: "20%",
              itemStyle: {
                color: (p: { value: unknown }) => ((p.value as number) < 0 ? "#dc2626" : "#16a34a"),
              },
              emphasis: { disabled: true },
            }
          : {
              type: "line",
              name: line.name,
              data: [...line.values],
              showSymbol: false,
              connectNulls: false,
              color: line.color,
              lineStyle: { width: line.width ?? 1.5, color: line.color },
              emphasis: { disabled: true },
            },
      ),
    });
    return chart.renderToSVGString({ useViewBox: true });
  } finally {
    chart.dispose();
  }
}

/** The breadth charts over the scan's window: % above the 50/200-day averages, A/D line, McClellan, highs − lows. */
export function renderBreadthCharts(breadth: StoredBreadth | undefined): RenderedChart[] {
  if (!breadth || breadth.dates.length === 0) return [];
  const size = { width: 480, height: 240 };
  const netHighs = breadth.newHighs.map((h, i) => {
    const l = breadth.newLows[i];
    return h === null || l === null || l === undefined ? null : h - l;
  });
  const specs: { name: string; title: string; spec: ChartSpec }[] = [
    {
      name: "pct-above-sma",
      title: "% of stocks above their 50- and 200-day averages",
      spec: {
        dates: breadth.dates,
        lines: [
          { name: "above 50-day", values: breadth.pctAboveSma50, color: "#2563eb" },
          { name: "above 200-day", values: breadth.pctAboveSma200, color: "#d97706" },
        ],
        yMin: 0,
        yMax: 100,
        ...size,
      },
    },
    {
      name: "ad-line",
      title: "Advance/decline line",
      spec: {
        dates: breadth.dates,
        lines: [{ name: "A/D line", values: breadth.advanceDeclineLine, color: "#2563eb" }],
        ...size,
      },
    },
    {
      name: "mcclellan",
      title: "McClellan oscillator",
      spec: {
        dates: breadth.dates,
        lines: [{ name: "McClellan", values: breadth.mcClellanOscillator, color: "#7c3aed" }],
        ...size,
      },
    },
    {
      name: "net-new-highs",
      title: "New 52-week highs − new lows",
      spec: {
        dates: breadth.dates,
        lines: [{ name: "highs − lows", values: netHighs, color: "#16a34a" }],
        bars: true,
        ...size,
      },
    },
  ];
  return specs.map(({ name, title, spec }) => ({ name, title, svg: renderSvg(spec) }));
}

/** A top ticker's close with its 50/150/200-day averages. */
export function renderPriceChart(chart: ReportPriceChart): RenderedChart {
  const title = `#${chart.rank} ${chart.ticker}`;
  return {
    name: `price-${chart.ticker}`,
    title,
    svg: renderSvg({
      dates: chart.dates,
      lines: [
        { name: "close", values: chart.close, color: INK, width: 1.25 },
        { name: "50-day", values: chart.sma50, color: "#2563eb", width: 1 },
        { name: "150-day", values: chart.sma150, color: "#d97706", width: 1 },
        { name: "200-day", values: chart.sma200, color: "#dc2626", width: 1 },
      ],
      width: 480,
      height: 220,
    }),
  };
}
