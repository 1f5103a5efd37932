/**
 * The comparison behind the default recipe (scripts/train/config.ts), as measured; the model card prints it.
 * Grouped figures: npm run model:compare; external: npm run model:external on a model built with that recipe.
 */
export const COMPARISON_COMMAND = 'npm run model:compare -- <backbone@size:resize> <views> <L2> 0.5'
export interface ComparisonRow { backbone: string, photos: string, views: number, l2: number, accuracy: string, foodRecall: string, specificity: string, external: string, ms: string }
export const COMPARISON: ComparisonRow[] = []
export const COMPARISON_NOTES = ''
