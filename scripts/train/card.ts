import type { ModelManifest } from '../../services/models/manifest.js'
import type { Item } from './dataset.js'
import type { FinalConfig } from './config.js'
import { COMPARISON, COMPARISON_COMMAND, COMPARISON_NOTES, FAILURE_MODES } from './comparison.js'

const pct = (x: unknown): string => typeof x === 'number' && !Number.isNaN(x) ? `${(100 * x).toFixed(1)}%` : 'n/a'

export interface ExternalResult { n: number, right: number, food: number, foodRight: number, notFoodRight: number, misses: Array<{ file: string, label: string, pFood: number }> }

/** MODEL_CARD.md, generated from the figures of the run that wrote the model. */
export function modelCard (a: {
  manifest: ModelManifest
  metrics: any
  temperature: number
  errors: Array<{ file: string, source: string, label: string, pFood: number }>
  items: Item[]
  cfg: FinalConfig
  recipe: string
  fusion?: { maxAbsDiff: number, photos: number, opCounts: Record<string, number> }
  timing?: Record<string, number>
  external?: ExternalResult
  grid?: { file: string, shown: Array<{ file: string, label: string, pFood: number }> }
}): string {
  const { manifest, metrics, errors, items, cfg } = a
  const h = metrics.heldOut
  const [[ff, fn], [nf, nn]] = h.confusion.matrix
  const training = manifest.training as Record<string, any>
  const sources = [...new Set(items.map(i => i.source))].sort()
  const srcRows = sources.map(s => {
    const its = items.filter(i => i.source === s)
    return `| ${s} | ${its.filter(i => i.y === 0).length} | ${its.filter(i => i.y === 1).length} | ${[...new Set(its.map(i => i.licence))].join('; ')} |`
  })
  const perSource = metrics.perSource.map((p: any) => `| ${p.heldOut} | ${p.n} | ${p.food} | ${pct(p.accuracy)} | ${p.food > 0 ? pct(p.foodRecall) : 'n/a'} | ${p.n - p.food > 0 ? pct(p.notFoodSpecificity) : 'n/a'} |`)
  const rel = h.reliability.map((r: any) => `| ${r.from.toFixed(2)}-${r.to.toFixed(2)} | ${r.n} | ${r.confidence.toFixed(3)} | ${r.accuracy.toFixed(3)} |`)
  const norm = manifest.input.normalization
  const reproduce = a.recipe !== 'food' ? ` -- --recipe ${a.recipe}` : ''
  const ext = a.external
  const fusion = a.fusion !== undefined
    ? `- Graph: ${training.fusion?.by as string}. Ops: ${Object.entries(a.fusion.opCounts).map(([k, v]) => `${v}x ${k}`).join(', ')}.
  Check on ${a.fusion.photos} real photos (both classes) against ${training.fusion?.comparedWith as string}: max abs difference of the probabilities **${a.fusion.maxAbsDiff.toExponential(2)}**.
${a.timing !== undefined ? `  Per image on wasm, batch 1, median while training (a shared 2-core machine, so loose): ${a.timing.fusedMedianMs} ms${a.timing.unfusedMedianMs !== undefined ? `, unfused ${a.timing.unfusedMedianMs} ms` : ''}.\n` : ''}`
    : ''
  return `# Model card: ${manifest.name} ${manifest.version}

${manifest.description ?? ''}
Output: softmax over \`${JSON.stringify(manifest.labels)}\`.
Input: ${manifest.input.width}x${manifest.input.height} RGB, resize \`${manifest.input.resizeMode}\`, (pixel - ${norm.mean[0]}) / ${norm.std[0]}.
Files: \`model.json\` (TF.js graph model), one weight shard, \`manifest.json\` (sha256 \`${manifest.sha256}\`), \`eval.json\`${a.grid !== undefined ? `, \`${a.grid.file}\` (held-out mistakes)` : ''}.

## Architecture and procedure

- Backbone: ${training.backbone as string}.
- Head: ${training.head as string}. One model goes from pixels to probabilities.
${fusion}- Augmentation: ${training.augmentation as string}.
- Preprocessing at training time is the service's own \`decodeAndResize\` + \`normalizePixels\` (services/image/decode.ts), so training and serving see the same pixels.
- Reproduce: \`npm run data && npm run model:train${reproduce}\`; evaluate: \`${a.recipe !== 'food' ? `MODEL_DIR=model/${a.recipe} ` : ''}npm run model:eval${reproduce}\` (grouped), \`${a.recipe !== 'food' ? `MODEL_DIR=model/${a.recipe} ` : ''}npm run model:external\` (external set). Deterministic (${cfg.seed}).

## Data

${items.length} labelled real photos (${items.filter(i => i.y === 0).length} food, ${items.filter(i => i.y === 1).length} not food): ${training.data?.script as string}. The photos are not in this
repository; licences are per file (data/manifest.csv, and the photo pack's manifest.csv):

| source | food | not food | licence(s) |
|---|---:|---:|---|
${srcRows.join('\n')}

${cfg.data === 'recipe+pack' ? `Packaged drinks and dairy held in shops (the pack's \`ambiguous/\`, 296 photos) are labelled **food**: the service answers
"does this photo contain food", drinks count as food, and a carton of juice contains one (scripts/data/extra.ts).
` : ''}The weights are derived from training on these photos; the photos themselves are not distributed with the model.

## Held-out metrics (grouped by source)

Protocol: ${metrics.protocol}. Calibrated with temperature ${a.temperature.toFixed(2)} fitted on these held-out predictions.
Settings (backbone, input size, L2, views) were chosen on these grouped figures, so they are selection figures, slightly
optimistic; the external set below was never used to choose anything.

- accuracy **${pct(h.accuracy)}**, food recall **${pct(h.foodRecall)}**, food precision ${pct(h.foodPrecision)}, not-food specificity **${pct(h.notFoodSpecificity)}**
- log loss ${h.logLoss.toFixed(3)}, ECE ${h.ece.toFixed(3)} (10 bins of top probability)

Confusion matrix (rows: true, columns: predicted):

| | food | not_food |
|---|---:|---:|
| food | ${ff} | ${fn} |
| not_food | ${nf} | ${nn} |

Per held-out source:

| held out | photos | food | accuracy | food recall | not-food specificity |
|---|---:|---:|---:|---:|---:|
${perSource.join('\n')}

Reliability (top probability bins, held-out):

| bin | n | mean confidence | accuracy |
|---|---:|---:|---:|
${rel.join('\n')}

Uncertain threshold: **${manifest.uncertainThreshold}** — predictions whose top probability is below it are flagged uncertain.
${metrics.uncertain.rule?.maxFlagged !== undefined ? `Chosen as the highest threshold that flags at most ${pct(metrics.uncertain.rule.maxFlagged)} of the held-out photos. ` : ''}On held-out photos, ${pct(metrics.uncertain.coverage)} of predictions are at or above it, and those are right ${pct(metrics.uncertain.accuracyAbove)} of the time${metrics.uncertain.accuracyBelow !== undefined ? `; the ${pct(1 - metrics.uncertain.coverage)} flagged are right ${pct(metrics.uncertain.accuracyBelow)} of the time` : ''}.

${ext !== undefined ? `## External test set

\`data/external\` (built by the data step, \`npm run model:external\`): ${ext.n} real photos from Debian packages that training never
reads and no setting was chosen on (plated dishes and fruit, and not-food photos of the same packages), through the
service's decode and classifier: **${ext.right} of ${ext.n} right**, food recall ${ext.foodRight} of ${ext.food}, not-food ${ext.notFoodRight} of ${ext.n - ext.food}.
${ext.misses.length > 0 ? `Misses: ${ext.misses.map(m => `${m.file} (${m.label}, p(food) ${m.pFood.toFixed(2)})`).join(', ')}.` : 'No misses.'}

` : ''}## Comparison (how this recipe was chosen)

\`${COMPARISON_COMMAND}\`: leave-one-source-out, pooled, logistic head unless said otherwise, source alpha 0.5 unless said
otherwise, temperature 1; accuracy / food recall / not-food specificity. External: the model a recipe built, on
data/external (17 photos), for the shipped recipes. The v4 rows come from a numpy / scikit-learn replica of the
protocol on the same cached features (scripts/train/comparison.ts says how); the shipped model's own grouped figures
are those of "Held-out metrics" above.

| backbone, input | photos | views | L2 | grouped accuracy | food recall | specificity | external | work per image |
|---|---|---:|---:|---:|---:|---:|---:|---:|
${COMPARISON.map(r => `| ${r.backbone} | ${r.photos} | ${r.views} | ${r.l2} | ${r.accuracy} | ${r.foodRecall} | ${r.specificity} | ${r.external} | ${r.ms} |`).join('\n')}

${COMPARISON_NOTES}

## Known limitations and failure modes

${cfg.backbone === 'coco_ssd' ? FAILURE_MODES + '\n\n' : ''}${a.grid !== undefined ? `![held-out mistakes](${a.grid.file})

The ${a.grid.shown.length} most confident held-out mistakes (each predicted by a head that never saw its source), red frame: food
called not_food, blue frame: not-food called food, in reading order: ${a.grid.shown.map(m => `${m.file} (p(food) ${m.pFood.toFixed(2)})`).join(', ')}.

` : ''}Held-out errors (${errors.length}): ${errors.slice(0, 40).map(e => `${e.file} (${e.label}, p(food)=${e.pFood})`).join(', ')}${errors.length > 40 ? ', ...' : ''}.
`
}
