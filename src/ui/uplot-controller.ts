/**
 * A uPlot chart as a Lit reactive controller: created on the host's first update (when its
 * container exists), fed with setData afterwards (never rebuilt for new data), resized by a
 * ResizeObserver through setSize, and destroyed when the host disconnects. It is rebuilt
 * only when the *shape* of the chart changes (a different set of series, a colour scheme
 * switch), which is what `key` expresses.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { unsafeCSS } from 'lit';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';

/** uPlot's own stylesheet, for adoption into each chart element's shadow root. */
export const uplotStyles = unsafeCSS(uplotCss);

/** What the host supplies to draw: options (without size) and data; `key` names the shape. */
export interface ChartSpec {
  key: string;
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
}

export class UplotController implements ReactiveController {
  /** The live chart, or undefined before the first update and after disconnect. */
  chart?: uPlot;
  /** How many times a chart was built (component tests check streaming does not rebuild). */
  builds = 0;
  /** How many setData calls fed the live chart. */
  dataUpdates = 0;
  private key = '';
  private spec?: ChartSpec;
  private resizeObserver?: ResizeObserver;
  private schemeQuery?: MediaQueryList;
  private readonly onScheme = () => this.rebuild();

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** The element the chart lives in (inside the host's shadow root). */
    private readonly container: () => HTMLElement | null | undefined,
    /** Chart height in CSS pixels, for a given width (charts get shorter on narrow screens). */
    private readonly heightFor: (width: number) => number = (w) => Math.round(Math.min(320, Math.max(200, w * 0.45))),
  ) {
    host.addController(this);
  }

  /** Sets what to draw; takes effect at the host's next update. */
  set(spec: ChartSpec | undefined): void {
    this.spec = spec;
    this.host.requestUpdate();
  }

  hostConnected(): void {
    // Back in the DOM after a disconnect destroyed the chart: nothing else would trigger an
    // update, so ask for one and the chart is rebuilt from the spec it still has.
    if (this.spec && !this.chart) this.host.requestUpdate();
    this.schemeQuery = window.matchMedia?.('(prefers-color-scheme: dark)');
    this.schemeQuery?.addEventListener('change', this.onScheme);
  }

  hostUpdated(): void {
    const el = this.container();
    const spec = this.spec;
    if (!el || !spec) {
      this.destroyChart();
      return;
    }
    if (this.chart && this.key === spec.key && this.chart.root.parentElement === el) {
      this.chart.setData(spec.data);
      this.dataUpdates++;
      return;
    }
    this.build(el, spec);
  }

  hostDisconnected(): void {
    this.destroyChart();
    this.schemeQuery?.removeEventListener('change', this.onScheme);
  }

  private build(el: HTMLElement, spec: ChartSpec): void {
    this.destroyChart();
    const width = Math.max(200, Math.floor(el.clientWidth || 600));
    this.chart = new uPlot({ ...spec.options, width, height: this.heightFor(width) } as uPlot.Options, spec.data, el);
    this.key = spec.key;
    this.builds++;
    keyboardLegend(this.chart);
    describeAsImage(el, this.chart);
    this.resizeObserver = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (this.chart && w > 0 && Math.abs(w - this.chart.width) >= 1) this.chart.setSize({ width: w, height: this.heightFor(w) });
    });
    this.resizeObserver.observe(el);
    // A GPU process crash takes accelerated 2D canvases with it: the chart would stay blank (or
    // show a broken-image glyph). Rebuild on a fresh canvas when the browser restores the
    // context, and once more shortly after the loss in case no restore event comes.
    const canvas = this.chart.ctx.canvas;
    const chart = this.chart;
    const rebuildIfCurrent = () => {
      if (this.chart === chart) this.rebuild();
    };
    canvas.addEventListener('contextrestored', rebuildIfCurrent);
    canvas.addEventListener('contextlost', () => setTimeout(rebuildIfCurrent, 1000));
  }

  /** Colours come from CSS custom properties, so a scheme switch needs fresh options. */
  private rebuild(): void {
    this.key = '';
    this.host.requestUpdate();
  }

  private destroyChart(): void {
    this.resizeObserver?.disconnect();
    this.resizeObserver = undefined;
    this.chart?.destroy();
    this.chart = undefined;
    this.key = '';
  }
}

/** Resolved colours of the page's design tokens (canvas cannot read var(--…)). */
export function themeColors(el: Element) {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--l2wd-text', '#1b1f2a'),
    muted: v('--l2wd-muted', '#5a6275'),
    grid: v('--l2wd-grid', 'rgba(0,0,0,0.08)'),
    l2: v('--l2wd-l2', '#d9480f'),
    decay: v('--l2wd-decay', '#1c7ed6'),
    gpu: v('--l2wd-gpu', '#7048e8'),
    cpu: v('--l2wd-cpu', '#2b8a3e'),
    error: v('--l2wd-error', '#c0262d'),
    accent: v('--l2wd-accent', '#3a5bd9'),
    font: v('--l2wd-font', 'system-ui, sans-serif'),
  };
}

export type ThemeColors = ReturnType<typeof themeColors>;

/** Axis styling shared by every chart: muted labels, faint grid. */
export function axis(colors: ThemeColors, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    stroke: colors.muted,
    grid: { stroke: colors.grid, width: 1 },
    ticks: { stroke: colors.grid, width: 1 },
    font: `12px ${colors.font}`,
    labelFont: `12px ${colors.font}`,
    ...extra,
  };
}

/** Superscript exponents for log-axis ticks: 1e-7 → "10⁻⁷"; other values in short form. */
export function logTick(v: number): string {
  if (v <= 0) return '';
  const e = Math.log10(v);
  if (Math.abs(e - Math.round(e)) > 1e-9) return '';
  const sup: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
  const n = Math.round(e);
  if (n >= 0 && n <= 4) return String(10 ** n);
  return `10${String(n)
    .split('')
    .map((c) => sup[c])
    .join('')}`;
}

/** Pads a canvas-safe dash pattern for CPU series (GPU solid, CPU dashed, reference dotted). */
export const DASH: Record<string, number[] | undefined> = { gpu: undefined, cpu: [6, 4], reference: [2, 3] };

/** How a vertical marker looks: line colour and width (CSS px), an optional dash, the label's font weight and offset (CSS px). */
export interface MarkerStyle {
  color: string;
  width: number;
  dash?: number[];
  weight?: string;
  labelDx?: number;
}

/** A vertical line across the plot at x = `value` with `label` at its top; nothing when `value` lies outside the plot. */
export function drawVerticalMarker(u: uPlot, value: number, label: string, style: MarkerStyle, colors: ThemeColors): void {
  const x = Math.round(u.valToPos(value, 'x', true));
  const { top, height, left, width } = u.bbox;
  if (x < left || x > left + width) return;
  const ctx = u.ctx;
  const px = devicePixelRatio;
  ctx.save();
  ctx.strokeStyle = style.color;
  if (style.dash) ctx.setLineDash(style.dash);
  ctx.lineWidth = style.width * px;
  ctx.beginPath();
  ctx.moveTo(x, top);
  ctx.lineTo(x, top + height);
  ctx.stroke();
  ctx.fillStyle = style.color;
  ctx.font = `${style.weight ? `${style.weight} ` : ''}${12 * px}px ${colors.font}`;
  ctx.fillText(label, x + (style.labelDx ?? 0) * px, top + 14 * px);
  ctx.restore();
}

/**
 * A draw hook that marks where training went non-finite: a red vertical line and a label,
 * so the gap in the lines after it reads as "diverged here", not as missing data.
 */
export function nonFiniteMarker(step: number | null, colors: ThemeColors): (u: uPlot) => void {
  return (u) => {
    if (step !== null) drawVerticalMarker(u, step, ` NaN/Inf from step ${step}`, { color: colors.error, width: 2, weight: '600', labelDx: 2 }, colors);
  };
}

/**
 * The plot is an image with a name, but its legend holds focusable toggles, and an image must
 * not contain controls: the name moves to the drawing (uPlot's .u-wrap) and the container,
 * holding the image and the legend, becomes a named group.
 */
function describeAsImage(container: HTMLElement, u: uPlot): void {
  const name = container.getAttribute('aria-label') ?? '';
  container.setAttribute('role', 'group');
  const drawing = u.root.querySelector<HTMLElement>('.u-wrap');
  drawing?.setAttribute('role', 'img');
  drawing?.setAttribute('aria-label', name);
}

/**
 * uPlot's legend toggles a series on click only: each entry becomes a focusable toggle button
 * (Enter or Space), with its state in aria-pressed.
 */
function keyboardLegend(u: uPlot): void {
  u.root.querySelectorAll<HTMLElement>('.u-legend .u-series').forEach((entry, i) => {
    if (i === 0) return; // the x value, not a toggle
    const sync = () => entry.setAttribute('aria-pressed', String(!entry.classList.contains('u-off')));
    entry.tabIndex = 0;
    entry.setAttribute('role', 'button');
    sync();
    entry.addEventListener('click', () => queueMicrotask(sync));
    entry.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      // uPlot listens on the label cell (mousedown or click, by version): both, like a pointer.
      const target = entry.querySelector<HTMLElement>('.u-label') ?? entry;
      for (const type of ['mousedown', 'click']) target.dispatchEvent(new MouseEvent(type, { bubbles: true }));
      queueMicrotask(sync);
    });
  });
}

/** Tick steps for a step axis: integers only (a 5-step run must not tick at 1.2, 1.4 …). */
const INTEGER_INCRS = Array.from({ length: 8 }, (_, k) => [1, 2, 5].map((m) => m * 10 ** k)).flat();

/** The step axis of every chart over training steps. */
export function stepAxisOptions(colors: ThemeColors): uPlot.Axis {
  return axis(colors, {
    label: 'step',
    incrs: INTEGER_INCRS,
    values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? v.toLocaleString('en-US') : '')),
  });
}

/**
 * A value axis whose labels are short (`format`) and whose width follows its longest label,
 * so a diverged run's 1e12 neither clips ("000,000,000") nor crowds the plot.
 */
export function valueAxis(colors: ThemeColors, label: string, format: (v: number) => string): uPlot.Axis {
  return axis(colors, {
    label,
    values: (_u, ticks) => ticks.map(format),
    // Label text at 12px is about 7px a character; then the tick, the gap and the axis title.
    size: (_u, values) => Math.max(48, Math.max(0, ...(values ?? []).map((v) => String(v).length)) * 7 + 34),
  });
}
