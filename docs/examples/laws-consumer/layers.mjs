// "Our" layers: a toy implementation, in plain JavaScript, of the kind a
// framework author would check against the oracle. Tensors are
// { dtype, shape, data: Float64Array } as in nn-oracle.

const T = (shape, data) => ({ dtype: 'float64', shape, data })

/** Softmax over the last axis, with its VJP dx = y (g - sum(g y)). */
export const softmax = {
  forward: ({ x }) => {
    const n = x.shape[x.shape.length - 1], y = new Float64Array(x.data.length)
    for (let r = 0; r < x.data.length / n; r++) {
      let m = -Infinity, s = 0
      for (let j = 0; j < n; j++) m = Math.max(m, x.data[r * n + j])
      for (let j = 0; j < n; j++) s += (y[r * n + j] = Math.exp(x.data[r * n + j] - m))
      for (let j = 0; j < n; j++) y[r * n + j] /= s
    }
    return { y: T(x.shape, y) }
  },
  vjp: (inputs, { y: g }) => {
    const { y } = softmax.forward(inputs), n = y.shape[y.shape.length - 1], dx = new Float64Array(y.data.length)
    for (let r = 0; r < y.data.length / n; r++) {
      let s = 0
      for (let j = 0; j < n; j++) s += g.data[r * n + j] * y.data[r * n + j]
      for (let j = 0; j < n; j++) dx[r * n + j] = y.data[r * n + j] * (g.data[r * n + j] - s)
    }
    return { x: T(y.shape, dx) }
  },
}

/** Mean squared error with mean reduction, and its gradient 2 (x - t) / n. */
export const mse = {
  forward: ({ input, target }) => {
    let s = 0
    for (let i = 0; i < input.data.length; i++) s += (input.data[i] - target.data[i]) ** 2
    return { loss: T([], Float64Array.of(s / input.data.length)) }
  },
  vjp: ({ input, target }, { loss: g }) => {
    const n = input.data.length
    const d = input.data.map((v, i) => (2 * (v - target.data[i]) * g.data[0]) / n)
    return { input: T(input.shape, d), target: T(target.shape, d.map((v) => -v)) }
  },
}
