export type ResizeMode = 'cover' | 'contain' | 'fill'

export interface InputSpec {
  width: number
  height: number
  channels: 3
  resizeMode: ResizeMode
  /** Per-channel mean and standard deviation in 0..255 units: value = (pixel - mean) / std. */
  normalization: { mean: [number, number, number], std: [number, number, number] }
}

/**
 * One image as a model takes it: 8-bit sRGB pixels, height x width x 3, row-major (HWC), at the model's input
 * size, as services/image/decode.ts decodes them. The model's runner normalises them as its manifest says, so the bytes
 * that cross to an inference worker are a quarter of the float32 input's.
 */
export type Pixels = Uint8Array

/** value = (pixel - mean) / std per channel, written into `out` (a new array unless given). */
export function normalizePixels (pixels: Pixels, spec: InputSpec, out = new Float32Array(pixels.length)): Float32Array {
  const [m0, m1, m2] = spec.normalization.mean
  const [s0, s1, s2] = spec.normalization.std
  for (let i = 0; i < pixels.length; i += 3) {
    out[i] = (pixels[i] - m0) / s0
    out[i + 1] = (pixels[i + 1] - m1) / s1
    out[i + 2] = (pixels[i + 2] - m2) / s2
  }
  return out
}

/**
 * A batch as a model takes it: each item checked against the input size and normalised into one buffer, reused
 * from batch to batch (grown when a batch is larger than any before); normalize returns a view of it.
 */
export class BatchBuffer {
  private buffer = new Float32Array(0)

  normalize (items: Pixels[], spec: InputSpec): Float32Array {
    const size = spec.height * spec.width * 3
    items.forEach((item, i) => {
      if (item.length !== size) throw new Error(`Input ${i} has ${item.length} values, expected ${size}`)
    })
    if (this.buffer.length < items.length * size) this.buffer = new Float32Array(items.length * size)
    const batch = this.buffer.subarray(0, items.length * size)
    items.forEach((item, i) => normalizePixels(item, spec, batch.subarray(i * size, (i + 1) * size)))
    return batch
  }
}
