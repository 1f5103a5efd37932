/**
 * The measurements behind a model's int8.json (scripts/model/calibrate.ts): the range of every tensor the int8
 * graph holds in 8 bits, and the bias correction of every convolution, both over calibration photos given as
 * normalised input batches ([n, H, W, 3] float32).
 */
import type * as Ort from 'onnxruntime-node'
import { encodeModel, type OnnxModel } from '../../services/engines/onnx/proto.js'
import { calibrationModel, localProbeModel, RangeCollector, type BiasCorrections, type CalibrationRanges } from '../../services/engines/onnx/quantize.js'

export interface InputBatch { data: Float32Array, dims: [number, number, number, number] }

type OrtModule = typeof Ort
const sessionOf = async (ort: OrtModule, model: OnnxModel, level: 'basic' | 'all'): Promise<Ort.InferenceSession> =>
  await ort.InferenceSession.create(encodeModel(model), { graphOptimizationLevel: level, intraOpNumThreads: 2 })

/** The ranges of the tensors quantizeModel needs ('minmax' or 'average' over the photos: RangeCollector). */
export async function measureRanges (ort: OrtModule, model: OnnxModel, inputName: string, batches: InputBatch[], method: 'minmax' | 'average'): Promise<CalibrationRanges> {
  const { model: withTensors, tensors } = calibrationModel(model)
  const session = await sessionOf(ort, withTensors, 'basic')
  const collector = new RangeCollector(method)
  try {
    for (const batch of batches) {
      const out = await session.run({ [inputName]: new ort.Tensor('float32', batch.data, batch.dims) }, tensors)
      for (const t of tensors) collector.add(t, out[t].data as Float32Array, batch.dims[0])
      for (const t of tensors) out[t].dispose()
    }
  } finally {
    await session.release()
  }
  return collector.ranges
}

/**
 * Empirical bias correction: int8 rounding moves the mean of a convolution's output (its weights rounded per
 * channel, its bias and output rounded), and a mean shift is what a classifier's pooled features and
 * max-over-anchors scores are most sensitive to. Each round runs the calibration photos through the int8 graph with
 * the corrections so far and, beside each 8-bit convolution, its float copy reading the same 8-bit input
 * (localProbeModel), and subtracts the mean of (int8 - float) per output channel from the bias. Measured layer by
 * layer on the int8 graph's own inputs, so a shift is corrected where it arises, not again downstream; a second
 * round only mops up the bias's own int32 rounding and the small change of each layer's inputs.
 */
export async function measureBiasCorrections (ort: OrtModule, model: OnnxModel, inputName: string, ranges: CalibrationRanges, batches: InputBatch[], rounds = 2, log: (line: string) => void = () => {}): Promise<BiasCorrections> {
  const corrections: BiasCorrections = {}
  for (let round = 0; round < rounds; round++) {
    const { model: probed, points } = localProbeModel(model, ranges, corrections)
    const session = await sessionOf(ort, probed, 'all')
    const sums = points.map(p => new Float64Array(p.channels))
    const counts = points.map(p => new Float64Array(p.channels))
    try {
      for (const batch of batches) {
        const out = await session.run({ [inputName]: new ort.Tensor('float32', batch.data, batch.dims) }, points.flatMap(p => [p.int8, p.float]))
        points.forEach((p, k) => {
          const a = out[p.int8]
          const e = out[p.float]
          const dims = e.dims
          if (dims.length !== 4 || dims[1] !== p.channels) throw new Error(`${p.tensor}: dims ${dims.join('x')}, expected NCHW with ${p.channels} channels`)
          const plane = dims[2] * dims[3]
          const ev = e.data as Float32Array
          const av = a.data as Float32Array
          const [lo, hi] = p.clip ?? [-Infinity, Infinity]
          const s = sums[k]
          const n = counts[k]
          for (let i = 0; i < ev.length; i++) {
            const v = ev[i]
            // Where the float value is clipped the convolution's output is not seen: nothing to learn about its bias.
            if (!(v > lo && v < hi)) continue
            const ch = Math.floor(i / plane) % p.channels
            s[ch] += av[i] - v
            n[ch] += 1
          }
          e.dispose()
          a.dispose()
        })
      }
    } finally {
      await session.release()
    }
    let largest = 0
    points.forEach((p, k) => {
      const correction = corrections[p.conv] ??= new Array<number>(p.channels).fill(0)
      for (let c = 0; c < p.channels; c++) {
        if (counts[k][c] === 0) continue
        const shift = sums[k][c] / counts[k][c]
        correction[c] = Math.fround(correction[c] - shift)
        largest = Math.max(largest, Math.abs(shift))
      }
    })
    log(`bias correction round ${round + 1}/${rounds}: ${points.length} convolutions, largest mean shift ${largest.toExponential(2)}`)
  }
  return corrections
}

/** One photo through both precisions: its true label and each precision's output. */
export interface PrecisionRow { file: string, truth: string, fp32: Float32Array, int8: Float32Array }

/**
 * fp32 against int8 over photos (OnnxClassifier outputs; `describe` names the label an output answers): accuracy in
 * each precision, answers changed and to which side, the largest change of any output and the mean change of food's.
 */
export function comparePrecisions (rows: PrecisionRow[], describe: (output: Float32Array) => { label: string }, foodIndex: number): { photos: number, accuracyFp32: number, accuracyInt8: number, labelChanges: number, labelChangesToRight: number, labelChangesToWrong: number, maxAbsDiff: number, meanAbsDiff: number } {
  const round = (v: number): number => Math.round(v * 1e4) / 1e4
  let changed = 0
  let maxAbsDiff = 0
  let sumAbsDiff = 0
  const right = { fp32: 0, int8: 0 }
  const flips = { toRight: 0, toWrong: 0 }
  for (const row of rows) {
    const la = describe(row.fp32).label
    const lb = describe(row.int8).label
    row.fp32.forEach((v, k) => { maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - row.int8[k])) })
    sumAbsDiff += Math.abs(row.fp32[foodIndex] - row.int8[foodIndex])
    if (la === row.truth) right.fp32++
    if (lb === row.truth) right.int8++
    if (la !== lb) {
      changed++
      if (lb === row.truth) flips.toRight++
      else flips.toWrong++
    }
  }
  const n = Math.max(1, rows.length)
  return {
    photos: rows.length,
    accuracyFp32: round(right.fp32 / n),
    accuracyInt8: round(right.int8 / n),
    labelChanges: changed,
    labelChangesToRight: flips.toRight,
    labelChangesToWrong: flips.toWrong,
    maxAbsDiff: round(maxAbsDiff),
    meanAbsDiff: round(sumAbsDiff / n)
  }
}
