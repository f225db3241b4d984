import type { Op } from '../core/op.ts'
import { dual } from '../fast/dispatch.ts'
import * as FastGelu from '../fast/activations.ts'
import * as Elu from './elu.ts'
import * as Gelu from './gelu.ts'
import * as LeakyRelu from './leaky-relu.ts'
import * as LogSigmoid from './log-sigmoid.ts'
import * as LogSoftmax from './log-softmax.ts'
import * as Maxout from './maxout.ts'
import * as Mish from './mish.ts'
import * as Prelu from './prelu.ts'
import * as Relu from './relu.ts'
import * as Selu from './selu.ts'
import * as Sigmoid from './sigmoid.ts'
import * as Silu from './silu.ts'
import * as Softmax from './softmax.ts'
import * as Softplus from './softplus.ts'
import * as Softsign from './softsign.ts'
import * as Tanh from './tanh.ts'

export const ops: readonly Op[] = [
  Relu.op, LeakyRelu.op, Prelu.op, Elu.op, Selu.op, dual(Gelu.op, FastGelu.gelu),
  Sigmoid.op, Tanh.op, Softplus.op, Softsign.op, Silu.op, Mish.op, LogSigmoid.op,
  Softmax.op, LogSoftmax.op, Maxout.op,
]
