// One telemetry series as a uPlot line chart, sized to its box (and again when the box
// changes), with a text summary beside it for those who cannot see the chart.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { when } from './format';
import type { Series } from './telemetry-series';

const HEIGHT = 180;

export function TelemetryChart({ series }: { series: Series }) {
  const box = useRef<HTMLDivElement>(null);
  const name = series.unit ? `${series.field} (${series.unit})` : series.field;
  useEffect(() => {
    const target = box.current;
    if (!target) return;
    const plot = new uPlot(
      {
        width: Math.max(200, target.clientWidth),
        height: HEIGHT,
        scales: { x: { time: true } },
        series: [
          {},
          {
            label: name,
            stroke: '#0b5cad',
            width: 1.5,
            points: { show: series.values.length < 60 },
          },
        ],
        axes: [{}, { label: series.unit ?? '', size: 60 }],
        legend: { show: false },
      },
      [series.times, series.values],
      target,
    );
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(200, target.clientWidth), height: HEIGHT }),
    );
    resize.observe(target);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, name]);
  const id = `chart-${series.channel || 'device'}-${series.field}`.replace(/[^A-Za-z0-9_-]/g, '-');
  const last = series.values.length - 1;
  const unit = series.unit ? ` ${series.unit}` : '';
  return (
    <figure className="chart" aria-labelledby={id}>
      <figcaption id={id}>{name}</figcaption>
      <div ref={box} className="plot" aria-hidden="true" />
      <p className="hint">
        {series.values.length} samples, {Math.min(...series.values)}–{Math.max(...series.values)}
        {unit}; latest {series.values[last]}
        {unit} at {when(new Date(series.times[last]! * 1000).toISOString())}
      </p>
    </figure>
  );
}
