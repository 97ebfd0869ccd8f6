// Inline SVG charts for the self-contained HTML report: horizontal bars and line series.

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

const COLORS = ['#2f6fb0', '#e07b39', '#4a9e5c', '#b04a6f', '#7a5cb0', '#8c8c8c']

interface Bar {
  label: string
  value: number
  /** bars of the same series share a color */
  series?: string
  /** a reference value (a target) drawn as a tick across the bar */
  mark?: number
}

/** A legend entry: a square of the series' color and its name. */
const swatch = (x: number, y: number, color: string | undefined, name: string) =>
  `<rect x="${x}" y="${y}" width="10" height="10" fill="${color}"/><text x="${x + 14}" y="${y + 9}">${escapeXml(name)}</text>`

const fmt = (value: number) =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 2)

export function barChart(title: string, bars: Bar[], unit: string): string {
  const [labelWidth, plotWidth, row, top] = [300, 420, 18, 30]
  const series = [...new Set(bars.map((b) => b.series ?? ''))]
  const legend = series.filter(Boolean)
  const height = top + bars.length * row + (legend.length ? 24 : 8)
  const max = Math.max(...bars.map((b) => Math.max(b.value, b.mark ?? 0)), 1e-9)
  const items = bars.map((bar, i) => {
    const y = top + i * row
    const width = Math.max(1, (bar.value / max) * plotWidth)
    const color = COLORS[series.indexOf(bar.series ?? '') % COLORS.length]
    const markX = bar.mark === undefined ? undefined : labelWidth + (bar.mark / max) * plotWidth
    const mark =
      markX === undefined
        ? ''
        : `<line x1="${markX.toFixed(1)}" y1="${y}" x2="${markX.toFixed(1)}" y2="${y + row - 1}" stroke="#000" stroke-width="2"/>`
    const valueX = labelWidth + Math.max(width, markX === undefined ? 0 : markX - labelWidth) + 4
    return (
      `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escapeXml(bar.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 2}" width="${width.toFixed(1)}" height="${row - 5}" fill="${color}"/>` +
      mark +
      `<text x="${valueX.toFixed(1)}" y="${y + 12}">${fmt(bar.value)} ${escapeXml(unit)}</text>`
    )
  })
  const marked = bars.some((bar) => bar.mark !== undefined)
  // Under the labels too when the plot's width cannot hold every entry.
  const legendX = (legend.length + (marked ? 1 : 0)) * 140 > plotWidth + 110 ? 10 : labelWidth
  const legendItems = legend.map((name, i) =>
    swatch(legendX + i * 140, height - 14, COLORS[series.indexOf(name) % COLORS.length], name)
  )
  if (marked) {
    const x = legendX + legend.length * 140
    legendItems.push(
      `<line x1="${x + 5}" y1="${height - 15}" x2="${x + 5}" y2="${height - 3}" stroke="#000" stroke-width="2"/><text x="${x + 14}" y="${height - 5}">target</text>`
    )
  }
  return svg(labelWidth + plotWidth + 110, height, title, [...items, ...legendItems].join(''))
}

interface Series {
  name: string
  points: [number, number][]
}

export function lineChart(title: string, series: Series[], xLabel: string, yLabel: string): string {
  const [width, height, left, right, top, bottom] = [760, 260, 60, 200, 30, 40]
  const xs = series.flatMap((s) => s.points.map((p) => p[0]))
  const ys = series.flatMap((s) => s.points.map((p) => p[1]))
  const xMax = Math.max(...xs, 1)
  const yMax = Math.max(...ys, 1e-9) * 1.1
  const px = (x: number) => left + (x / xMax) * (width - left - right)
  const py = (y: number) => height - bottom - (y / yMax) * (height - top - bottom)
  const axes =
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#444"/>` +
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#444"/>` +
    `<text x="${(left + width - right) / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(xLabel)}</text>` +
    `<text x="12" y="${top - 10}">${escapeXml(yLabel)}</text>` +
    [0, 0.5, 1]
      .map(
        (f) =>
          `<text x="${left - 4}" y="${py(yMax * f) + 4}" text-anchor="end">${fmt(yMax * f)}</text>` +
          `<text x="${px(xMax * f)}" y="${height - bottom + 14}" text-anchor="middle">${fmt(xMax * f)}</text>`
      )
      .join('')
  const lines = series.map((s, i) => {
    const color = COLORS[i % COLORS.length]
    const d = s.points.map(
      (p, j) => `${j ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`
    )
    return (
      `<path d="${d.join('')}" fill="none" stroke="${color}" stroke-width="1.8"/>` +
      swatch(width - right + 10, top + i * 16, color, s.name)
    )
  })
  return svg(width, height, title, axes + lines.join(''))
}

function svg(width: number, height: number, title: string, body: string): string {
  return (
    `<figure><figcaption>${escapeXml(title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">${body}</svg></figure>`
  )
}

export function htmlPage(title: string, parts: string[], transcript: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px}figure{margin:1.5rem 0}
figcaption{font-weight:600;margin-bottom:.3rem}pre{font-size:12px;background:#f6f6f6;padding:1rem;overflow-x:auto}</style>
</head><body><h1>${escapeXml(title)}</h1>
${parts.join('\n')}
<h2>Tables</h2><pre>${escapeXml(transcript)}</pre>
</body></html>
`
}
