/**
 * Hand-written SVG charts for the dashboard: no chart library, drawn at the container's real
 * width (so text stays legible on a phone), each with a <title>/<desc> and a visually hidden
 * table carrying the same numbers for screen readers.
 */
import { useId, useLayoutEffect, useRef, useState, type ReactNode, type RefObject } from 'react';

/** The width of an element, following resizes. */
function useWidth(ref: RefObject<HTMLElement | null>, fallback = 600): number {
  const [width, setWidth] = useState(fallback);
  // Measured before paint, so a phone never sees the fallback width for a frame.
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setWidth(Math.max(200, Math.floor(element.getBoundingClientRect().width)));
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/** A round axis maximum and its tick step (1, 2 or 5 × 10^n), about `ticks` ticks high. */
export function niceScale(max: number, ticks = 4): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 1 };
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  // Counts are whole numbers: a step under 1 would label ticks 0.2, 0.4…
  const whole = Math.max(1, step);
  return { max: Math.ceil(max / whole) * whole, step: whole };
}

export interface Column {
  key: string;
  label: string;
}

/** Numbers behind a chart, for screen readers (and anyone with CSS off). */
function DataTable({ caption, head, rows }: { caption: string; head: string[]; rows: (string | number)[][] }) {
  return (
    <table className="adm-visually-hidden">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {head.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            {row.map((cell, j) => (j === 0 ? <th key={j} scope="row">{cell}</th> : <td key={j}>{cell}</td>))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Legend({ items }: { items: { label: string; className: string; line?: boolean }[] }) {
  return (
    <ul className="adm-legend" aria-hidden="true">
      {items.map((item) => (
        <li key={item.label}>
          <span className={`adm-legend__swatch ${item.className}${item.line ? ' adm-legend__swatch--line' : ''}`} />
          {item.label}
        </li>
      ))}
    </ul>
  );
}

interface FrameProps {
  testId: string;
  title: string;
  description: string;
  /** Fixed, or from the measured width (layouts that stack on narrow screens). */
  height: number | ((width: number) => number);
  legend?: ReactNode;
  table: ReactNode;
  children: (width: number) => ReactNode;
}

/** figure + caption + a measured, labelled <svg> + the hidden table. */
function ChartFrame({ testId, title, description, height, legend, table, children }: FrameProps) {
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const id = useId();
  const h = typeof height === 'function' ? height(width) : height;
  return (
    <figure className="adm-chart" data-testid={testId}>
      <figcaption className="adm-chart__title">{title}</figcaption>
      {legend}
      <div ref={box} className="adm-chart__box">
        <svg width={width} height={h} viewBox={`0 0 ${width} ${h}`} role="img" aria-labelledby={`${id}-t ${id}-d`} className="adm-chart__svg">
          <title id={`${id}-t`}>{title}</title>
          <desc id={`${id}-d`}>{description}</desc>
          {children(width)}
        </svg>
      </div>
      {table}
    </figure>
  );
}

const M = { top: 12, right: 12, bottom: 28, left: 40 };

function YAxis({ scale, height, width, format = String }: { scale: { max: number; step: number }; height: number; width: number; format?: (n: number) => string }) {
  const plot = height - M.top - M.bottom;
  const ticks: number[] = [];
  for (let v = 0; v <= scale.max + 1e-9; v += scale.step) ticks.push(v);
  return (
    <g className="adm-axis" aria-hidden="true">
      {ticks.map((v) => {
        const y = M.top + plot - (v / scale.max) * plot;
        return (
          <g key={v}>
            <line x1={M.left} x2={width - M.right} y1={y} y2={y} className="adm-grid-line" />
            <text x={M.left - 6} y={y} dy="0.32em" textAnchor="end">
              {format(v)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

function NoData({ width, height, text }: { width: number; height: number; text: string }) {
  return (
    <text x={width / 2} y={height / 2} textAnchor="middle" className="adm-chart__empty">
      {text}
    </text>
  );
}

export interface SeriesPointLike {
  at: string;
  customer: number;
  bot: number;
  agent: number;
  handoffs: number;
}

export interface SeriesChartProps {
  series: SeriesPointLike[];
  /** The x label of a point (hour or day). */
  formatAt: (at: string) => string;
  labels: { title: string; description: string; time: string; customer: string; bot: string; agent: string; handoffs: string; noData: string };
}

const STACK = ['customer', 'bot', 'agent'] as const;

/** Messages per hour / day stacked by sender, with handoffs as a line over them. */
export function SeriesChart({ series, formatAt, labels }: SeriesChartProps) {
  const height = 240;
  const max = Math.max(0, ...series.map((p) => Math.max(p.customer + p.bot + p.agent, p.handoffs)));
  const scale = niceScale(max);
  const empty = series.every((p) => p.customer + p.bot + p.agent + p.handoffs === 0);
  return (
    <ChartFrame
      testId="chart-series"
      title={labels.title}
      description={labels.description}
      height={height}
      legend={
        <Legend
          items={[
            { label: labels.customer, className: 'adm-c-customer' },
            { label: labels.bot, className: 'adm-c-bot' },
            { label: labels.agent, className: 'adm-c-agent' },
            { label: labels.handoffs, className: 'adm-c-handoff', line: true },
          ]}
        />
      }
      table={<DataTable caption={labels.title} head={[labels.time, labels.customer, labels.bot, labels.agent, labels.handoffs]} rows={series.map((p) => [formatAt(p.at), p.customer, p.bot, p.agent, p.handoffs])} />}
    >
      {(width) => {
        const plotW = width - M.left - M.right;
        const plotH = height - M.top - M.bottom;
        const slot = series.length ? plotW / series.length : plotW;
        const barW = Math.max(2, Math.min(36, slot * 0.7));
        const y = (v: number) => M.top + plotH - (v / scale.max) * plotH;
        // Thin the x labels so they never overlap (about 44 px each).
        const every = Math.max(1, Math.ceil(44 / slot));
        const line = series.map((p, i) => `${i ? 'L' : 'M'}${(M.left + slot * i + slot / 2).toFixed(1)},${y(p.handoffs).toFixed(1)}`).join(' ');
        return (
          <>
            <YAxis scale={scale} height={height} width={width} />
            {series.map((p, i) => {
              const x = M.left + slot * i + (slot - barW) / 2;
              let base = 0;
              return (
                <g key={p.at}>
                  {STACK.map((key) => {
                    const v = p[key];
                    const top = y(base + v);
                    const h = y(base) - top;
                    base += v;
                    return v > 0 ? (
                      <rect key={key} x={x} y={top} width={barW} height={h} className={`adm-c-${key}`}>
                        <title>{`${formatAt(p.at)} ${labels[key]}: ${v}`}</title>
                      </rect>
                    ) : null;
                  })}
                  {i % every === 0 ? (
                    <text x={M.left + slot * i + slot / 2} y={height - M.bottom + 16} textAnchor="middle" className="adm-axis-label" aria-hidden="true">
                      {formatAt(p.at)}
                    </text>
                  ) : null}
                </g>
              );
            })}
            {series.length > 1 ? <path d={line} className="adm-c-handoff-line" fill="none" /> : null}
            {series.map((p, i) =>
              p.handoffs > 0 ? (
                <circle key={`h${p.at}`} cx={M.left + slot * i + slot / 2} cy={y(p.handoffs)} r={3} className="adm-c-handoff">
                  <title>{`${formatAt(p.at)} ${labels.handoffs}: ${p.handoffs}`}</title>
                </circle>
              ) : null,
            )}
            <line x1={M.left} x2={width - M.right} y1={M.top + plotH} y2={M.top + plotH} className="adm-axis-line" />
            {empty ? <NoData width={width} height={height} text={labels.noData} /> : null}
          </>
        );
      }}
    </ChartFrame>
  );
}

export interface BarDatum {
  key: string;
  label: string;
  value: number;
}

/** Horizontal bars, one per category (handoffs by reason), largest first. */
export function HorizontalBarChart({ data, testId, labels }: { data: BarDatum[]; testId: string; labels: { title: string; description: string; category: string; value: string; noData: string } }) {
  const sorted = [...data].sort((a, b) => b.value - a.value);
  const max = Math.max(1, ...sorted.map((d) => d.value));
  // Below this width the category names go above their bars instead of beside them.
  const stacked = (width: number) => width < 480;
  const rowH = (width: number) => (stacked(width) ? 42 : 28);
  const height = (width: number) => Math.max(80, sorted.length * rowH(width) + M.top + 8);
  return (
    <ChartFrame
      testId={testId}
      title={labels.title}
      description={labels.description}
      height={height}
      table={<DataTable caption={labels.title} head={[labels.category, labels.value]} rows={sorted.map((d) => [d.label, d.value])} />}
    >
      {(width) => {
        if (!sorted.length) return <NoData width={width} height={height(width)} text={labels.noData} />;
        const narrow = stacked(width);
        const row = rowH(width);
        const labelW = narrow ? 0 : Math.min(200, Math.floor(width * 0.38));
        const barX = narrow ? 4 : labelW;
        const barMax = width - barX - 48;
        return sorted.map((d, i) => {
          const y = M.top + i * row;
          const barY = narrow ? y + 18 : y + 4;
          const barH = narrow ? 16 : row - 12;
          const w = Math.max(d.value > 0 ? 2 : 0, (d.value / max) * barMax);
          return (
            <g key={d.key}>
              <text x={narrow ? barX : labelW - 8} y={narrow ? y + 8 : barY + barH / 2} dy="0.32em" textAnchor={narrow ? 'start' : 'end'} className="adm-axis-label">
                {d.label}
              </text>
              <rect x={barX} y={barY} width={w} height={barH} className="adm-c-reason" rx={2}>
                <title>{`${d.label}: ${d.value}`}</title>
              </rect>
              <text x={barX + w + 6} y={barY + barH / 2} dy="0.32em" className="adm-bar-value">
                {d.value}
              </text>
            </g>
          );
        });
      }}
    </ChartFrame>
  );
}

export interface HistogramBucket {
  from: number;
  to: number;
  count: number;
}

/** Confidence histogram over 0..1, with the bars below the threshold (when given) marked. */
export function Histogram({ buckets, testId, threshold, labels }: { buckets: HistogramBucket[]; testId: string; threshold?: number; labels: { title: string; description: string; range: string; count: string; threshold: string; noData: string } }) {
  const height = 220;
  const scale = niceScale(Math.max(0, ...buckets.map((b) => b.count)));
  const empty = buckets.every((b) => b.count === 0);
  const fmt = (n: number) => n.toFixed(1);
  return (
    <ChartFrame
      testId={testId}
      title={labels.title}
      description={labels.description}
      height={height}
      table={<DataTable caption={labels.title} head={[labels.range, labels.count]} rows={buckets.map((b) => [`${fmt(b.from)}–${fmt(b.to)}`, b.count])} />}
    >
      {(width) => {
        const plotW = width - M.left - M.right;
        const plotH = height - M.top - M.bottom;
        const x = (v: number) => M.left + v * plotW;
        const y = (v: number) => M.top + plotH - (v / scale.max) * plotH;
        const every = plotW / Math.max(1, buckets.length) < 30 ? 2 : 1;
        return (
          <>
            <YAxis scale={scale} height={height} width={width} />
            {buckets.map((b) => (
              <rect key={b.from} x={x(b.from) + 1} y={y(b.count)} width={Math.max(1, x(b.to) - x(b.from) - 2)} height={M.top + plotH - y(b.count)} className={threshold !== undefined && b.to <= threshold + 1e-9 ? 'adm-c-low' : 'adm-c-conf'}>
                <title>{`${fmt(b.from)}–${fmt(b.to)}: ${b.count}`}</title>
              </rect>
            ))}
            {[...buckets.map((b) => b.from), 1].map((v, i) =>
              i % every === 0 ? (
                <text key={v} x={x(v)} y={height - M.bottom + 16} textAnchor="middle" className="adm-axis-label" aria-hidden="true">
                  {fmt(v)}
                </text>
              ) : null,
            )}
            <line x1={M.left} x2={width - M.right} y1={M.top + plotH} y2={M.top + plotH} className="adm-axis-line" />
            {threshold !== undefined ? (
              <g className="adm-threshold" aria-hidden="true">
                <line x1={x(threshold)} x2={x(threshold)} y1={M.top} y2={M.top + plotH} />
                <text x={x(threshold) + 4} y={M.top + 10}>
                  {labels.threshold}
                </text>
              </g>
            ) : null}
            {empty ? <NoData width={width} height={height} text={labels.noData} /> : null}
          </>
        );
      }}
    </ChartFrame>
  );
}

export interface ThresholdPoint {
  threshold: number;
  /** Share answered at this threshold, 0..1. */
  answered: number;
  /** Share of all labelled turns answered wrongly at this threshold, 0..1. */
  wrongRate: number;
  probability: number | null;
}

export interface ThresholdChartProps {
  curve: ThresholdPoint[];
  current: number;
  recommended: number | null;
  /** The admin's ceiling on wrongRate, drawn as a dashed line on the wrong-rate axis. */
  target: number;
  testId: string;
  labels: { title: string; description: string; threshold: string; answered: string; wrongRate: string; probability: string; current: string; recommended: string; target: string; noData: string };
}

const TM = { top: 14, right: 44, bottom: 28, left: 44 };
const pct = (share: number, digits = 0) => `${(share * 100).toFixed(digits)}%`;

/**
 * The calibration curve (issue 12): against the threshold, the share of turns the bot would
 * answer (left axis, 0–100 %) and how often those answers were wrong (right axis, scaled to its
 * own maximum: a few per cent would be a flat line on a 0–100 % axis), with the current and the
 * recommended threshold marked.
 */
export function ThresholdChart({ curve, current, recommended, target, testId, labels }: ThresholdChartProps) {
  const height = 220;
  const points = [...curve].sort((a, b) => a.threshold - b.threshold);
  // The right axis in percent; niceScale rounds whole numbers, which suits 1 %, 2 %, 5 %…
  const wrongScale = niceScale(Math.max(target, ...points.map((p) => p.wrongRate)) * 100, 4);
  const rows = points.map((p) => [p.threshold.toFixed(2), pct(p.answered, 1), pct(p.wrongRate, 1), p.probability === null ? '—' : p.probability.toFixed(2)]);
  return (
    <ChartFrame
      testId={testId}
      title={labels.title}
      description={labels.description}
      height={height}
      legend={
        <Legend
          items={[
            { label: labels.answered, className: 'adm-c-answered', line: true },
            { label: labels.wrongRate, className: 'adm-c-wrong', line: true },
          ]}
        />
      }
      table={<DataTable caption={labels.title} head={[labels.threshold, labels.answered, labels.wrongRate, labels.probability]} rows={rows} />}
    >
      {(width) => {
        const plotW = width - TM.left - TM.right;
        const plotH = height - TM.top - TM.bottom;
        const x = (v: number) => TM.left + Math.min(1, Math.max(0, v)) * plotW;
        const yLeft = (share: number) => TM.top + plotH - share * plotH;
        const yRight = (share: number) => TM.top + plotH - Math.min(1, (share * 100) / wrongScale.max) * plotH;
        const path = (y: (p: ThresholdPoint) => number) => points.map((p, i) => `${i ? 'L' : 'M'}${x(p.threshold).toFixed(1)},${y(p).toFixed(1)}`).join(' ');
        const leftTicks = [0, 0.25, 0.5, 0.75, 1];
        const rightTicks: number[] = [];
        for (let v = 0; v <= wrongScale.max + 1e-9; v += wrongScale.step) rightTicks.push(v);
        const marker = (value: number, label: string, className: string, row: number) => (
          <g className={`adm-threshold ${className}`} aria-hidden="true">
            <line x1={x(value)} x2={x(value)} y1={TM.top} y2={TM.top + plotH} />
            <text x={x(value) + (value > 0.8 ? -4 : 4)} y={TM.top + 10 + row * 13} textAnchor={value > 0.8 ? 'end' : 'start'}>
              {label}
            </text>
          </g>
        );
        return (
          <>
            <g className="adm-axis" aria-hidden="true">
              {leftTicks.map((v) => (
                <g key={v}>
                  <line x1={TM.left} x2={width - TM.right} y1={yLeft(v)} y2={yLeft(v)} className="adm-grid-line" />
                  <text x={TM.left - 6} y={yLeft(v)} dy="0.32em" textAnchor="end">
                    {pct(v)}
                  </text>
                </g>
              ))}
              {rightTicks.map((v) => (
                <text key={`r${v}`} x={width - TM.right + 6} y={TM.top + plotH - (v / wrongScale.max) * plotH} dy="0.32em" className="adm-c-wrong-text">
                  {`${v}%`}
                </text>
              ))}
              {[0, 0.2, 0.4, 0.6, 0.8, 1].map((v) => (
                <text key={`x${v}`} x={x(v)} y={height - TM.bottom + 16} textAnchor="middle" className="adm-axis-label">
                  {v.toFixed(1)}
                </text>
              ))}
            </g>
            <line x1={TM.left} x2={width - TM.right} y1={TM.top + plotH} y2={TM.top + plotH} className="adm-axis-line" />
            {points.length ? (
              <>
                <line x1={TM.left} x2={width - TM.right} y1={yRight(target)} y2={yRight(target)} className="adm-c-target-line" aria-hidden="true">
                  <title>{labels.target}</title>
                </line>
                <path d={path((p) => yLeft(p.answered))} className="adm-c-answered-line" fill="none" />
                <path d={path((p) => yRight(p.wrongRate))} className="adm-c-wrong-line" fill="none" />
                {marker(current, labels.current, 'adm-threshold--current', 0)}
                {recommended !== null ? marker(recommended, labels.recommended, 'adm-threshold--recommended', 1) : null}
              </>
            ) : (
              <NoData width={width} height={height} text={labels.noData} />
            )}
          </>
        );
      }}
    </ChartFrame>
  );
}
