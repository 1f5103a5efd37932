import type { ResizeMode } from '../../services/image.js'
import type { BackboneName } from './backbones.js'
import type { TrainConfig } from './cv.js'
import { DEFAULT_HEAD } from './head.js'
import { RECIPE } from './common.js'

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

const SEED = 'deterministic: no random initialisation; augmentation seeded by sha256(aug version, file, view)'

/**
 * Two recipes, one trade-off, both measured by grouped held-out metrics (see MODEL_CARD.md):
 * - food (the default): the MobileNetV2 1.4 "mid" graph backbone; the more accurate on held-out sources.
 * - food-fast: the MobileNetV2 1.0 layers backbone fused by scripts/model/fuse.ts; about 1.6x faster on wasm,
 *   less accurate on held-out sources.
 */
export const RECIPES: Record<string, FinalConfig> = {
  food: {
    version: '1.0.0',
    backbone: 'mobilenet_v2_mid',
    resizeMode: 'cover',
    train: { views: 5, head: { ...DEFAULT_HEAD, l2: 0.1 } },
    uncertainTarget: 0.97,
    seed: SEED
  },
  'food-fast': {
    version: '1.1.1',
    backbone: 'mobilenet_v2',
    resizeMode: 'cover',
    train: { views: 5, head: { ...DEFAULT_HEAD, l2: 0.1 } },
    uncertainTarget: 0.97,
    seed: SEED
  }
}

const recipe = RECIPES[RECIPE]
if (recipe === undefined) throw new Error(`unknown recipe ${RECIPE} (known: ${Object.keys(RECIPES).join(', ')})`)
export const FINAL: FinalConfig = recipe
