import { suite } from 'uvu'
import { derivations } from '../../proofs/activations/tanh.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/activations/tanh: tanh' = 1 - y^2")
checkDerivations(test, derivations)
test.run()
