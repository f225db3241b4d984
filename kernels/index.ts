/**
 * Every float32 kernel op, by the name of the src/ op it mirrors.
 */
import * as Gelu from './activations/gelu.kernel.ts'
import * as LeakyRelu from './activations/leaky-relu.kernel.ts'
import * as LogSoftmax from './activations/log-softmax.kernel.ts'
import * as Relu from './activations/relu.kernel.ts'
import * as Sigmoid from './activations/sigmoid.kernel.ts'
import * as Silu from './activations/silu.kernel.ts'
import * as Softmax from './activations/softmax.kernel.ts'
import * as Softplus from './activations/softplus.kernel.ts'
import * as Tanh from './activations/tanh.kernel.ts'
import * as Conv2d from './convolution/conv2d.kernel.ts'
import * as Linear from './layers/linear.kernel.ts'
import * as Matmul from './layers/matmul.kernel.ts'
import * as CrossEntropy from './losses/cross-entropy.kernel.ts'
import * as BatchNorm from './normalization/batch-norm.kernel.ts'
import * as GroupNorm from './normalization/group-norm.kernel.ts'
import * as InstanceNorm from './normalization/instance-norm.kernel.ts'
import * as LayerNorm from './normalization/layer-norm.kernel.ts'
import type { KernelOp } from './op.ts'
import * as AdamStep from './optimizers/adam-step.kernel.ts'
import * as SgdStep from './optimizers/sgd-step.kernel.ts'
import * as AvgPool2d from './pooling/avg-pool2d.kernel.ts'
import * as GlobalAvgPool2d from './pooling/global-avg-pool2d.kernel.ts'
import * as MaxPool2d from './pooling/max-pool2d.kernel.ts'
import * as Dropout from './regularization/dropout.kernel.ts'

export const kernels: readonly KernelOp[] = [
  Linear.op, Matmul.op,
  Relu.op, LeakyRelu.op, Sigmoid.op, Tanh.op, Gelu.op, Softplus.op, Silu.op, Softmax.op, LogSoftmax.op,
  CrossEntropy.op, Dropout.op, SgdStep.op, AdamStep.op, LayerNorm.op,
  Conv2d.op, MaxPool2d.op, AvgPool2d.op, GlobalAvgPool2d.op, BatchNorm.op, InstanceNorm.op, GroupNorm.op,
]

export const kernelRegistry: ReadonlyMap<string, KernelOp> = new Map(kernels.map((k) => [k.name, k]))

export { openDevice, formatKernelError, type Backend, type Device, type KernelError, type Ran } from './runtime.ts'
export {
  type DeviceTensor, bind, fromF32, release, reshape, toDevice, toF32, toHost,
} from './device-tensor.ts'
export { runResident } from './runtime.ts'
export type { ResidentOp, DeviceTensors } from './op.ts'
export { type MlpParams, type Optimizer, type StepResult, mlpStep } from './optimizers/mlp-step.ts'
export { deviceTargets } from './losses/cross-entropy.kernel.ts'
