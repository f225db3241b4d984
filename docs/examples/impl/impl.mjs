#!/usr/bin/env node
// A small external implementation of a few ops, in plain Node with no
// packages, speaking nn-oracle's fuzz protocol: one case per line on stdin
// ({"id", "op", "attrs", "inputs", "cotangents"}), one reply per line on stdout
// ({"id", "outputs", "gradients"}, tensors as {"dtype", "shape", "data"}), or
// {"id", "unsupported": "why"} for a case it does not support.
// It stands for "your implementation": `nn-oracle fuzz --impl "node docs/examples/impl/impl.mjs" --op batch_norm`.
import { createInterface } from 'node:readline'

const size = (shape) => shape.reduce((a, b) => a * b, 1)
const T = (shape, data) => ({ dtype: 'float64', shape, data: Array.from(data) })
const num = (x) => (typeof x === 'string' ? Number(x.replace('Infinity', 'Infinity')) : x)
const arr = (t) => Float64Array.from(t.data, num)

const ops = {
  relu({ inputs: { x }, cotangents }) {
    const xs = arr(x), g = cotangents?.y ? arr(cotangents.y) : new Float64Array(xs.length)
    return { outputs: { y: T(x.shape, xs.map((v) => (v > 0 ? v : 0))) }, gradients: { x: T(x.shape, xs.map((v, i) => (v > 0 ? g[i] : 0))) } }
  },
  mse_loss({ attrs, inputs: { input, target }, cotangents }) {
    const a = arr(input), b = arr(target), n = a.length, r = attrs.reduction ?? 'mean'
    const d = a.map((v, i) => v - b[i])
    const g = cotangents?.loss ? arr(cotangents.loss) : new Float64Array(r === 'none' ? n : 1)
    const loss = r === 'none' ? T(input.shape, d.map((v) => v * v)) : T([], [d.reduce((s, v) => s + v * v, 0) / (r === 'mean' ? n : 1)])
    const gi = d.map((v, i) => 2 * v * (r === 'none' ? g[i] : g[0] / (r === 'mean' ? n : 1)))
    return { outputs: { loss }, gradients: { input: T(input.shape, gi), target: T(target.shape, gi.map((v) => -v)) } }
  },
  // Batch normalization over [N, C, ...]: statistics per channel over N and the spatial positions.
  batch_norm({ attrs, inputs, cotangents }) {
    const { x, running_mean: rm, running_var: rv, weight, bias } = inputs
    const training = attrs.training ?? false, momentum = attrs.momentum ?? 0.1, eps = attrs.eps ?? 1e-5
    const [N, C] = x.shape, S = size(x.shape.slice(2)), M = N * S
    const xs = arr(x), y = new Float64Array(xs.length), xhat = new Float64Array(xs.length)
    const gamma = weight ? arr(weight) : new Float64Array(C).fill(1), beta = bias ? arr(bias) : new Float64Array(C)
    const at = (n, c, s) => (n * C + c) * S + s
    const mean = new Float64Array(C), vari = new Float64Array(C)
    const newRm = rm ? arr(rm) : undefined, newRv = rv ? arr(rv) : undefined
    for (let c = 0; c < C; c++) {
      let m, v
      if (training) {
        m = 0
        for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) m += xs[at(n, c, s)]
        m /= M
        v = 0
        for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) v += (xs[at(n, c, s)] - m) ** 2
        v /= M
        if (newRm) newRm[c] = (1 - momentum) * newRm[c] + momentum * m
        if (newRv) newRv[c] = (1 - momentum) * newRv[c] + momentum * v * M / (M - 1)
      } else { m = arr(rm)[c]; v = arr(rv)[c] }
      mean[c] = m; vari[c] = v
      const r = 1 / Math.sqrt(v + eps)
      for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) {
        const i = at(n, c, s)
        xhat[i] = (xs[i] - m) * r
        y[i] = gamma[c] * xhat[i] + beta[c]
      }
    }
    const outputs = { y: T(x.shape, y) }
    if (newRm) outputs.running_mean = T([C], newRm)
    if (newRv) outputs.running_var = T([C], newRv)
    const g = cotangents?.y ? arr(cotangents.y) : new Float64Array(xs.length)
    const dx = new Float64Array(xs.length), dgamma = new Float64Array(C), dbeta = new Float64Array(C)
    for (let c = 0; c < C; c++) {
      const r = 1 / Math.sqrt(vari[c] + eps)
      let sg = 0, sgx = 0
      for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) { const i = at(n, c, s); sg += g[i]; sgx += g[i] * xhat[i] }
      dbeta[c] = sg; dgamma[c] = sgx
      for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) {
        const i = at(n, c, s)
        // dx = gamma r / M (M g - sum g - xhat sum(g xhat)) in training; gamma r g in evaluation
        dx[i] = training ? (gamma[c] * r / M) * (M * g[i] - sg - xhat[i] * sgx) : gamma[c] * r * g[i]
      }
    }
    const gradients = { x: T(x.shape, dx) }
    if (weight) gradients.weight = T([C], dgamma)
    if (bias) gradients.bias = T([C], dbeta)
    return { outputs, gradients }
  },
}

// 2-D convolution, x [N, C, H, W], weight [K, C/groups, kh, kw], PyTorch's cross-correlation:
//   y[n, k, oh, ow] = bias[k] + sum_{c in group(k), i, j} w[k, c, i, j] x[n, c, oh*sh - pt + i*dh, ow*sw - pl + j*dw]
// The backward sends g[n, k, oh, ow] back along the same taps.
const pair = (v, d) => (v === undefined ? [d, d] : Array.isArray(v) ? v : [v, v])
ops.conv2d = ({ attrs, inputs, cotangents }) => {
  const { x, weight, bias } = inputs
  const [N, C, H, W] = x.shape, [K, Cg, kh, kw] = weight.shape
  const G = attrs.groups ?? 1, [sh, sw] = pair(attrs.stride, 1), [dh, dw] = pair(attrs.dilation, 1)
  const p = attrs.padding ?? 0
  const [pt, pl, pb, pr] = Array.isArray(p) ? (p.length === 4 ? p : [p[0], p[1], p[0], p[1]]) : [p, p, p, p]
  const Ho = Math.floor((H + pt + pb - dh * (kh - 1) - 1) / sh) + 1, Wo = Math.floor((W + pl + pr - dw * (kw - 1) - 1) / sw) + 1
  const xs = arr(x), ws = arr(weight), b = bias ? arr(bias) : undefined, Kg = K / G
  const y = new Float64Array(N * K * Ho * Wo)
  const g = cotangents?.y ? arr(cotangents.y) : new Float64Array(y.length)
  const dx = new Float64Array(xs.length), dwt = new Float64Array(ws.length), db = new Float64Array(K)
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let oh = 0; oh < Ho; oh++) for (let ow = 0; ow < Wo; ow++) {
    const o = ((n * K + k) * Ho + oh) * Wo + ow
    let acc = b ? b[k] : 0
    db[k] += g[o]
    const c0 = Math.floor(k / Kg) * Cg
    for (let c = 0; c < Cg; c++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const ih = oh * sh - pt + i * dh, iw = ow * sw - pl + j * dw
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue
      const xi = ((n * C + c0 + c) * H + ih) * W + iw, wi = ((k * Cg + c) * kh + i) * kw + j
      acc += ws[wi] * xs[xi]
      dx[xi] += ws[wi] * g[o]
      dwt[wi] += xs[xi] * g[o]
    }
    y[o] = acc
  }
  const gradients = { x: T(x.shape, dx), weight: T(weight.shape, dwt) }
  if (bias) gradients.bias = T([K], db)
  return { outputs: { y: T([N, K, Ho, Wo], y) }, gradients }
}

const rl = createInterface({ input: process.stdin })
rl.on('line', (line) => {
  if (!line.trim()) return
  let c
  try { c = JSON.parse(line) } catch { process.stdout.write(JSON.stringify({ id: null, error: 'not JSON' }) + '\n'); return }
  const f = ops[c.op]
  if (!f) { process.stdout.write(JSON.stringify({ id: c.id, unsupported: `op ${c.op} is not implemented here` }) + '\n'); return }
  try {
    process.stdout.write(JSON.stringify({ id: c.id, ...f(c) }) + '\n')
  } catch (e) {
    process.stdout.write(JSON.stringify({ id: c.id, error: String(e && e.message) }) + '\n')
  }
})
