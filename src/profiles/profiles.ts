/**
 * Named convention profiles: which conventions a framework follows where it
 * differs from PyTorch (the case format's). `pytorch` is the default and
 * empty. Sources: spec/profiles/conventions-notes.md, Part 1; each row of
 * docs/conventions.md names the test that pins it.
 */
import { type Convention, conventionById } from './conventions.ts'

export const PROFILES: Readonly<Record<string, readonly string[]>> = {
  pytorch: [],
  keras: [
    'batch_norm.momentum-0.99', 'batch_norm.momentum-weights-old', 'batch_norm.running-var-biased', 'batch_norm.eps-1e-3',
    'layer_norm.eps-1e-3', 'leaky_relu.slope-0.3', 'avg_pool2d.exclude-pad',
    'adam.epsilon-hat', 'adam.eps-1e-7', 'multi_margin.crammer-singer', 'cross_entropy.smoothing-as-soft-targets',
  ],
  jax: [
    'batch_norm.momentum-0.99', 'batch_norm.momentum-weights-old', 'batch_norm.running-var-biased', 'layer_norm.eps-1e-6',
    'gelu.tanh-default', 'leaky_relu.grad-1-at-0', 'multi_margin.crammer-singer', 'cross_entropy.smoothing-as-soft-targets',
  ],
  onnx: [
    'batch_norm.momentum-weights-old', 'batch_norm.running-var-biased', 'avg_pool2d.exclude-pad',
    'adam.epsilon-hat', 'adamw.decay-not-lr-scaled',
  ],
  tfjs: [
    'batch_norm.momentum-0.99', 'batch_norm.momentum-weights-old', 'batch_norm.running-var-biased', 'batch_norm.eps-1e-3',
    'layer_norm.eps-1e-3', 'leaky_relu.slope-0.2', 'avg_pool2d.exclude-pad', 'adam.eps-1e-7',
  ],
}

export const profileNames = (): string[] => Object.keys(PROFILES)

export const profileConventions = (name: string): Convention[] | undefined =>
  PROFILES[name]?.map((id) => conventionById(id)!)

/** The profiles that include a convention, for the diagnosis message. */
export const profilesWith = (id: string): string[] => Object.entries(PROFILES).filter(([, ids]) => ids.includes(id)).map(([p]) => p)
