// Turns the benchmark results into rows (each figure next to its same-run baseline and their ratio) and renders
// them, with the detail tables, as markdown. Formatting only; measures nothing.
export type BenchPart = 'slack' | 'discord' | 'observe' | 'import' | 'cost' | 'learning' | 'safety' | 'memory' | 'local' | 'scale'

export type BenchRow = {
  part: BenchPart
  figure: string
  value: number
  unit: string
  baseline: string
  baselineValue: number
  /** value / baselineValue. */
  ratio: number
  /** Which way is better for the ratio. */
  better: 'lower' | 'higher'
}

export function row(part: BenchPart, figure: string, value: number, unit: string, baseline: string, baselineValue: number, better: BenchRow['better']): BenchRow {
  return { part, figure, value, unit, baseline, baselineValue, ratio: baselineValue ? Math.round((value / baselineValue) * 1000) / 1000 : 0, better }
}

const number = (value: number) => (Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 2 }))

export function renderTable(header: string[], lines: (string | number)[][], align: ('left' | 'right')[] = []): string {
  const cells = lines.map((line) => line.map((cell) => (typeof cell === 'number' ? number(cell) : cell)))
  const widths = header.map((title, column) => Math.max(title.length, 3, ...cells.map((line) => line[column]!.length)))
  const render = (line: string[]) => `| ${line.map((cell, column) => (align[column] === 'right' ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(' | ')} |`
  const rule = `|${widths.map((width, column) => (align[column] === 'right' ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`
  return [render(header), rule, ...cells.map(render)].join('\n')
}

export function renderRows(rows: BenchRow[]): string {
  return renderTable(
    ['part', 'figure', 'value', 'baseline (same run)', 'baseline value', 'ratio'],
    rows.map((each) => [each.part, each.figure, `${number(each.value)} ${each.unit}`, each.baseline, `${number(each.baselineValue)} ${each.unit}`, `${number(each.ratio)}× (${each.better} is better)`]),
    ['left', 'left', 'right', 'left', 'right', 'right'],
  )
}
