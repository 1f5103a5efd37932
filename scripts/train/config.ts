import type { ResizeMode } from '../../services/image.js'
import type { BackboneName } from './backbones.js'
import type { TrainConfig } from './cv.js'
import { DEFAULT_HEAD } from './head.js'

/** The shipped model's recipe, chosen by grouped (leave-one-source-out) metrics: see scripts/train/compare.ts. */
export interface FinalConfig {
  version: string
  backbone: BackboneName
  resizeMode: ResizeMode
  train: TrainConfig
  /** The uncertain threshold is the lowest top probability above which held-out accuracy reaches this. */
  uncertainTarget: number
  seed: string
}

export const FINAL: FinalConfig = {
  version: '1.1.0',
  backbone: 'mobilenet_v2',
  resizeMode: 'cover',
  train: { views: 5, head: { ...DEFAULT_HEAD, l2: 0.1 } },
  uncertainTarget: 0.97,
  seed: 'deterministic: no random initialisation; augmentation seeded by sha256(aug version, file, view)'
}
