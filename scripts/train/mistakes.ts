import sharp from 'sharp'

export interface Mistake { file: string, path: string, label: string, pFood: number }

/**
 * A contact sheet of held-out mistakes for the model card: thumbnails in rows of `perRow`, the worst first (most
 * confident wrong answers), framed red for food called not_food and blue for not-food called food.
 */
export async function mistakeGrid (mistakes: Mistake[], out: string, opts: { max?: number, thumb?: number, perRow?: number } = {}): Promise<Mistake[]> {
  const max = opts.max ?? 60; const thumb = opts.thumb ?? 112; const perRow = opts.perRow ?? 10; const border = 5
  const shown = [...mistakes].sort((a, b) => wrongness(b) - wrongness(a)).slice(0, max)
  const cell = thumb + 2 * border
  const rows = Math.max(1, Math.ceil(shown.length / perRow))
  const tiles = await Promise.all(shown.map(async (m, i) => {
    const colour = m.label === 'food' ? { r: 220, g: 30, b: 30 } : { r: 30, g: 80, b: 220 }
    const img = await sharp(m.path).rotate().resize(thumb, thumb, { fit: 'cover' }).extend({ top: border, bottom: border, left: border, right: border, background: colour }).toBuffer()
    return { input: img, left: (i % perRow) * cell, top: Math.floor(i / perRow) * cell }
  }))
  await sharp({ create: { width: perRow * cell, height: rows * cell, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(tiles).jpeg({ quality: 80 }).toFile(out)
  return shown
}

/** How confidently wrong: p(food) for a not-food photo, 1 - p(food) for a food photo. */
function wrongness (m: Mistake): number {
  return m.label === 'food' ? 1 - m.pFood : m.pFood
}
