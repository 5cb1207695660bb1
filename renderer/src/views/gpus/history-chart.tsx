// A small hand-made SVG line chart for GPU history: utilization and memory as % of 0..100 over time.
// Gaps (null readings) break the line instead of dropping it to zero.

export interface ChartLine {
  label: string;
  className: string;
  values: (number | null)[];
}

const WIDTH = 300;
const HEIGHT = 80;
/** Room above 100% and below 0% so a flat line at either end is not cut in half by the edge. */
const PAD = 3;

function pathFor(t: number[], values: (number | null)[], t0: number, span: number): string {
  let d = '';
  let drawing = false;
  values.forEach((value, i) => {
    const time = t[i];
    if (value === null || time === undefined) {
      drawing = false;
      return;
    }
    const x = ((time - t0) / span) * WIDTH;
    const y = HEIGHT - PAD - (Math.max(0, Math.min(100, value)) / 100) * (HEIGHT - 2 * PAD);
    d += `${drawing ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    drawing = true;
  });
  return d;
}

export function HistoryChart({ t, lines, minutes }: { t: number[]; lines: ChartLine[]; minutes: number }) {
  const end = t.length ? t[t.length - 1]! : Date.now();
  // The x axis covers the data there is (at least a minute, at most the whole window), so a fresh watch
  // draws a line across the chart rather than a dot at its right edge.
  const span = Math.min(minutes * 60_000, Math.max(60_000, end - (t[0] ?? end)));
  const start = end - span;
  const spanLabel = `${Math.round(span / 60_000)} min ago`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={`Last ${Math.round(span / 60_000)} minutes: ${lines.map((l) => l.label).join(', ')}`}>
        {[0.25, 0.5, 0.75].map((f) => (
          <line key={f} className="chart-grid" x1="0" x2={WIDTH} y1={HEIGHT * f} y2={HEIGHT * f} vectorEffect="non-scaling-stroke" />
        ))}
        {lines.map((line) => (
          <path key={line.label} className={`chart-line ${line.className}`} d={pathFor(t, line.values, start, span)} vectorEffect="non-scaling-stroke" fill="none" />
        ))}
      </svg>
      <figcaption>
        <span className="muted">{spanLabel}</span>
        <span className="chart-legend">
          {lines.map((line) => (
            <span key={line.label} className={`legend ${line.className}`}>
              {line.label}
            </span>
          ))}
        </span>
        <span className="muted">now</span>
      </figcaption>
    </figure>
  );
}
