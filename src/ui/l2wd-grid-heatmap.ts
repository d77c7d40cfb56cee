import { LitElement, css, html } from 'lit';
import type { PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { fmtNum } from '../bench/format';
import type { GridHeatmap } from '../bench/grid-results';
import { axisLabel, bestCell } from '../bench/grid-summary';
import type { LossScale } from './colour-scale';
import { scalePosition, textOn, viridis } from './colour-scale';
import { panelStyles } from './shared-styles';

const MARGIN = { left: 64, right: 6, top: 6, bottom: 34 };
/** Cell size in CSS pixels; shrinks for wide grids, and values are printed only where they fit. */
const CELL = { width: 58, height: 28, minWidth: 14 };

/**
 * One heatmap of a grid run (docs/DESIGN.md, Grid: the page): rows are learning rates, columns
 * strengths (λ, α/η or α), each cell coloured by its final validation loss on a viridis scale
 * (src/ui/colour-scale.ts; bright is low) shared with the heatmap beside it, the best cell
 * outlined. A small canvas: the value of a cell shows on hover, and by keyboard (arrow keys on
 * the focused canvas) in a live readout below it.
 */
@customElement('l2wd-grid-heatmap')
export class L2wdGridHeatmap extends LitElement {
  static override styles = [
    panelStyles,
    css`
      :host {
        display: block;
      }
      figure {
        margin: 0;
      }
      figcaption {
        font-weight: 600;
        margin-bottom: 0.3rem;
      }
      canvas {
        display: block;
        max-width: 100%;
        border-radius: 4px;
      }
      .readout {
        min-height: 2.6em;
        font-size: 0.85rem;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  /** The heatmap to draw (null: nothing yet). */
  @property({ attribute: false }) heatmap: GridHeatmap | null = null;
  /** Rows: the grid's learning rates, ascending. */
  @property({ attribute: false }) lrs: number[] = [];
  /** Columns: the grid's strengths, ascending. */
  @property({ attribute: false }) strengths: number[] = [];
  /** The colour scale, shared by the heatmaps shown side by side so one colour means one loss. */
  @property({ attribute: false }) scale: LossScale | null = null;
  /** The caption ("L2 (λ)"). */
  @property() heading = '';

  /** The cell the readout shows: hovered, or moved to by keyboard. */
  @state() private cursor: { row: number; column: number } | null = null;
  @query('canvas') private canvas!: HTMLCanvasElement;

  private get columns(): number {
    return this.strengths.length;
  }

  private cellSize(): { width: number; height: number } {
    const fit = Math.floor((Math.min(this.clientWidth || 640, 900) - MARGIN.left - MARGIN.right) / Math.max(1, this.columns));
    return { width: Math.max(CELL.minWidth, Math.min(CELL.width, fit)), height: CELL.height };
  }

  /** What a cell reads as, for the readout and tests. */
  cellText(row: number, column: number): string {
    const h = this.heatmap;
    const c = h?.cells[row * this.columns + column];
    if (!h || !c) return '';
    const best = bestCell(h, this.columns);
    const accuracy = Number.isFinite(c.validationAccuracy) ? `, accuracy ${(100 * c.validationAccuracy).toFixed(1)}%` : '';
    const isBest = best && best.row === row && best.column === column ? ' (best)' : '';
    return `η = ${fmtNum(c.lr)}, ${axisLabel(h.axis)} = ${fmtNum(c.strength)}: validation loss ${fmtNum(c.validationLoss, 4)}${accuracy}${isBest}`;
  }

  private onMove(e: MouseEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const { width, height } = this.cellSize();
    // A narrow page shrinks the canvas (max-width: 100%): map the pointer back to drawing pixels.
    const scale = rect.width > 0 ? parseFloat(this.canvas.style.width) / rect.width : 1;
    const column = Math.floor(((e.clientX - rect.left) * scale - MARGIN.left) / width);
    const row = Math.floor(((e.clientY - rect.top) * scale - MARGIN.top) / height);
    this.cursor = row >= 0 && row < this.lrs.length && column >= 0 && column < this.columns ? { row, column } : null;
  }

  private onKey(e: KeyboardEvent): void {
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const move = moves[e.key];
    if (!move || !this.heatmap?.cells.length) return;
    e.preventDefault();
    const at = this.cursor ?? { row: 0, column: 0 };
    const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
    this.cursor = this.cursor ? { row: clamp(at.row + move[0], this.lrs.length), column: clamp(at.column + move[1], this.columns) } : at;
  }

  protected override updated(_changed: PropertyValues): void {
    this.draw();
  }

  private draw(): void {
    const canvas = this.canvas;
    const h = this.heatmap;
    if (!canvas) return;
    const { width, height } = this.cellSize();
    const cssWidth = MARGIN.left + this.columns * width + MARGIN.right;
    const cssHeight = MARGIN.top + this.lrs.length * height + MARGIN.bottom;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(cssWidth * dpr);
    canvas.height = Math.round(cssHeight * dpr);
    canvas.style.width = `${cssWidth}px`;
    canvas.style.height = `${cssHeight}px`;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    const style = getComputedStyle(this);
    ctx.font = `12px ${style.fontFamily}`;
    ctx.fillStyle = style.color;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    this.lrs.forEach((lr, i) => ctx.fillText(fmtNum(lr), MARGIN.left - 6, MARGIN.top + (i + 0.5) * height));
    ctx.textAlign = 'center';
    const every = Math.ceil(40 / width);
    this.strengths.forEach((s, j) => {
      if (j % every === 0) ctx.fillText(fmtNum(s), MARGIN.left + (j + 0.5) * width, MARGIN.top + this.lrs.length * height + 10);
    });
    ctx.fillText(`${h ? axisLabel(h.axis) : ''} →`, MARGIN.left + (this.columns * width) / 2, MARGIN.top + this.lrs.length * height + 26);
    ctx.textAlign = 'left';
    ctx.fillText('η ↓', 4, MARGIN.top + this.lrs.length * height + 26);
    if (!h || h.cells.length === 0) return;
    const best = bestCell(h, this.columns);
    h.cells.forEach((c, k) => {
      const [i, j] = [Math.floor(k / this.columns), k % this.columns];
      const x = MARGIN.left + j * width;
      const y = MARGIN.top + i * height;
      const finite = Number.isFinite(c.validationLoss) && this.scale;
      const rgb = finite ? viridis(scalePosition(c.validationLoss, this.scale!)) : null;
      ctx.fillStyle = rgb ? `rgb(${rgb.join(',')})` : style.getPropertyValue('--l2wd-surface-2') || '#888';
      ctx.fillRect(x, y, width - 1, height - 1);
      if (width >= 40) {
        ctx.fillStyle = rgb ? textOn(rgb) : style.color;
        ctx.textAlign = 'center';
        ctx.fillText(Number.isFinite(c.validationLoss) ? fmtNum(c.validationLoss, 2) : String(c.validationLoss), x + width / 2, y + height / 2);
      }
    });
    const outline = (i: number, j: number, colour: string, inset: number, dash: number[] = []) => {
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.setLineDash(dash);
      ctx.strokeRect(MARGIN.left + j * width + inset, MARGIN.top + i * height + inset, width - 1 - 2 * inset, height - 1 - 2 * inset);
      ctx.setLineDash([]);
    };
    // The best cell: a black and a white ring, visible on every colour of the scale.
    if (best) {
      outline(best.row, best.column, '#000', 1);
      outline(best.row, best.column, '#fff', 3);
    }
    if (this.cursor) outline(this.cursor.row, this.cursor.column, style.color, 5, [3, 2]);
  }

  override render() {
    const h = this.heatmap;
    const best = h ? bestCell(h, this.columns) : null;
    const label = h
      ? `${this.heading}: final validation loss over ${this.lrs.length} learning rates × ${this.columns} values of ${axisLabel(h.axis)}` +
        (best ? `; best ${fmtNum(best.validationLoss, 3)} at η = ${fmtNum(best.lr)}, ${axisLabel(h.axis)} = ${fmtNum(best.strength)}` : '') +
        '. Arrow keys read each cell.'
      : this.heading;
    const readout = this.cursor
      ? this.cellText(this.cursor.row, this.cursor.column)
      : 'Hover over a cell, or focus the map and use the arrow keys, to read its value.';
    return html`<figure>
      <figcaption>${this.heading}</figcaption>
      <canvas
        tabindex="0"
        role="img"
        aria-label=${label}
        @mousemove=${this.onMove}
        @mouseleave=${() => (this.cursor = null)}
        @keydown=${this.onKey}
        @focus=${() => (this.cursor ??= best ? { row: best.row, column: best.column } : null)}
      ></canvas>
      <p class="readout muted" aria-live="polite" data-testid="readout">${readout}</p>
    </figure>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'l2wd-grid-heatmap': L2wdGridHeatmap;
  }
}
