import { suite } from 'uvu'
import { derivations } from '../../proofs/optimization/nesterov.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/optimization/nesterov: Nesterov: PyTorch's buffer form = the look-ahead form")
checkDerivations(test, derivations)
test.run()
