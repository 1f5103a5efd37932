/** A small SVG chart: throughput and p99 latency against concurrency, one line per mode. */
export interface Series { name: string, color: string, points: Array<{ concurrency: number, rps: number, p99: number }> }

export function plotSvg (series: Series[], title: string, subtitle: string): string {
  const W = 860; const H = 360; const pad = { l: 60, r: 20, t: 60, b: 50 }; const gap = 60
  const pw = (W - pad.l - pad.r - gap) / 2; const ph = H - pad.t - pad.b
  const xs = [...new Set(series.flatMap(s => s.points.map(p => p.concurrency)))].sort((a, b) => a - b)
  const xOf = (c: number) => (Math.log2(c) - Math.log2(xs[0])) / Math.max(1e-9, Math.log2(xs[xs.length - 1]) - Math.log2(xs[0])) * pw
  const panel = (ox: number, key: 'rps' | 'p99', label: string) => {
    const max = Math.max(...series.flatMap(s => s.points.map(p => p[key]))) * 1.1 || 1
    const yOf = (v: number) => ph - (v / max) * ph
    let g = `<g transform="translate(${ox},${pad.t})"><rect width="${pw}" height="${ph}" fill="none" stroke="#ccc"/>`
    for (let i = 0; i <= 4; i++) {
      const v = max * i / 4
      g += `<line x1="0" x2="${pw}" y1="${yOf(v)}" y2="${yOf(v)}" stroke="#eee"/><text x="-6" y="${yOf(v) + 4}" text-anchor="end" font-size="11">${v >= 100 ? v.toFixed(0) : v.toFixed(1)}</text>`
    }
    for (const c of xs) g += `<text x="${xOf(c)}" y="${ph + 16}" text-anchor="middle" font-size="11">${c}</text>`
    g += `<text x="${pw / 2}" y="${ph + 36}" text-anchor="middle" font-size="12">concurrent clients</text><text x="${pw / 2}" y="-10" text-anchor="middle" font-size="13" font-weight="bold">${label}</text>`
    for (const s of series) {
      const pts = s.points.map(p => `${xOf(p.concurrency).toFixed(1)},${yOf(p[key]).toFixed(1)}`).join(' ')
      g += `<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"/>`
      for (const p of s.points) g += `<circle cx="${xOf(p.concurrency)}" cy="${yOf(p[key])}" r="3" fill="${s.color}"/>`
    }
    return g + '</g>'
  }
  let legend = ''
  series.forEach((s, i) => { legend += `<rect x="${pad.l + i * 200}" y="${H - 14}" width="12" height="4" fill="${s.color}"/><text x="${pad.l + i * 200 + 18}" y="${H - 9}" font-size="12">${s.name}</text>` })
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>` +
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${title}</text><text x="${W / 2}" y="38" text-anchor="middle" font-size="11" fill="#555">${subtitle}</text>` +
    panel(pad.l, 'rps', 'throughput (requests/s)') + panel(pad.l + pw + gap, 'p99', 'p99 latency (ms)') + legend + '</svg>'
}
