import t from 'tap'
import { ServiceError } from '../../../services/common/errors.js'
import { probabilityRows, type ImageAnswer } from '../../../services/inference/classify.js'

const answered = (p: number): PromiseFulfilledResult<ImageAnswer> => ({
  status: 'fulfilled',
  value: { label: 'food', probability: p, uncertain: false, predictions: [], probabilities: Float32Array.of(p, 1 - p), warnings: [] }
})
const failed = (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason })

t.test('a request answered whole gets every image\'s probability row, in order', async t => {
  t.same(probabilityRows([answered(0.9), answered(0.2)]), [Float32Array.of(0.9, 1 - 0.9), Float32Array.of(0.2, 1 - 0.2)])
  t.same(probabilityRows([]), [])
})

t.test('the first image that failed fails the request, with its own error', async t => {
  const first = new ServiceError('UNDECODABLE_IMAGE', 422, 'first')
  const second = new ServiceError('NO_FILE', 400, 'second')
  t.throws(() => probabilityRows([answered(0.9), failed(first), failed(second)]), first)
})
