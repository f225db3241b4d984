import { suite } from 'uvu'
import { derivations } from '../../proofs/convolution/conv2d.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/convolution/conv2d: conv2d backward: dx a transposed convolution, dW a correlation")
checkDerivations(test, derivations)
test.run()
