/**
 * Time-series charts drawn by uPlot (bundled from npm: no CDN, no hand-drawn canvas code). One
 * chart per series set; `update` swaps the data in place so a live refresh does not rebuild it.
 */
import './locale-guard';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface LineSpec {
  label: string;
  color: string;
}

export class TimeChart {
  private readonly plot: uPlot;

  constructor(host: HTMLElement, title: string, lines: LineSpec[], options: { stacked?: boolean } = {}) {
    const width = Math.max(240, host.clientWidth || 360);
    this.plot = new uPlot(
      {
        title,
        width,
        height: 150,
        cursor: { drag: { x: false, y: false } },
        legend: { live: true },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [{ space: 60 }, { size: 56 }],
        series: [
          {},
          ...lines.map((l) => ({
            label: l.label,
            stroke: l.color,
            width: 1.6,
            fill: options.stacked ? undefined : `${l.color}22`,
            points: { show: false },
          })),
        ],
      },
      [[], ...lines.map(() => [])],
      host,
    );
    new ResizeObserver(() => {
      const w = host.clientWidth;
      if (w > 0 && Math.abs(w - this.plot.width) > 4) this.plot.setSize({ width: w, height: 150 });
    }).observe(host);
  }

  /** `times` in epoch seconds; one array per line, same length. */
  update(times: number[], values: number[][]): void {
    this.plot.setData([times, ...values]);
    // With no pointer over the chart the legend shows the latest minute rather than dashes.
    if (times.length > 0 && this.plot.cursor.left! < 0) this.plot.setLegend({ idx: times.length - 1 });
  }
}
