import type { ResizeMode } from '../../services/image/pixels.js'
import type { BackboneName } from './backbones.js'
import type { TrainConfig } from './cv.js'
import type { Item } from './dataset.js'
import { EXTRA_SOURCE_PREFIX } from './sources.js'
import { DEFAULT_HEAD } from './head.js'
import { RECIPE } from './common.js'

/** The shipped model's recipe, chosen by grouped (leave-one-source-out) metrics: see scripts/train/compare.ts. */
export interface FinalConfig {
  /** The model's name in the manifest and the API. */
  name: string
  version: string
  backbone: BackboneName
  resizeMode: ResizeMode
  /** Square input size; the backbone's own when absent. */
  inputSize?: number
  /** Which photos: the shared recipe's (Debian and npm packages) only, or those, the photo packs and the cut-outs. */
  data: 'recipe' | 'recipe+pack'
  train: TrainConfig
  /**
   * How the uncertain threshold is chosen from the pooled held-out predictions: the lowest top probability above which
   * accuracy reaches `target`, or the highest one that flags at most `maxFlagged` of the photos.
   */
  uncertain: { target: number } | { maxFlagged: number }
  seed: string
}

const SEED = 'deterministic: no random initialisation; augmentation seeded by sha256(aug version, file, view)'

/**
 * - food (the default, 4.0.0): the COCO-SSD detector's backbone (SSDLite MobileNetV2 trained on COCO) cut to its pooled
 *   last feature map and its best score per COCO class (scripts/model/coco-ssd.ts), a logistic head on top, trained on
 *   the shared recipe's photos, the three photo packs and the cut-outs of scripts/data/stamps.ts. Chosen by the grouped
 *   comparison in model/food/MODEL_CARD.md; its uncertain flag marks the least sure 15% of the held-out photos.
 * - food-v2 (food 2.0.0, kept as model/food-v2 for the same-network benchmark against the peers): nsfwjs MobileNetV2
 *   1.0, fused by scripts/model/fuse.ts, trained on the recipe's photos only.
 */
export const RECIPES: Record<string, FinalConfig> = {
  food: {
    name: 'food',
    version: '4.0.0',
    backbone: 'coco_ssd',
    resizeMode: 'fill',
    inputSize: 300,
    data: 'recipe+pack',
    train: { views: 1, head: { ...DEFAULT_HEAD, l2: 0.01, sourceAlpha: 0 } },
    uncertain: { maxFlagged: 0.15 },
    seed: SEED
  },
  'food-v2': {
    name: 'food',
    version: '2.0.0',
    backbone: 'mobilenet_v2',
    resizeMode: 'cover',
    data: 'recipe',
    train: { views: 5, head: { ...DEFAULT_HEAD, l2: 0.1 } },
    uncertain: { target: 0.97 },
    seed: SEED
  }
}

/** The photos a recipe trains on. */
export function itemsFor (cfg: Pick<FinalConfig, 'data'>, items: Item[]): Item[] {
  return cfg.data === 'recipe' ? items.filter(i => !i.source.startsWith(EXTRA_SOURCE_PREFIX)) : items
}

const recipe = RECIPES[RECIPE]
if (recipe === undefined) throw new Error(`unknown recipe ${RECIPE} (known: ${Object.keys(RECIPES).join(', ')})`)
export const FINAL: FinalConfig = recipe
