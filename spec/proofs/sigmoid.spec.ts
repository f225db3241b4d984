import { suite } from 'uvu'
import { derivations } from '../../proofs/activations/sigmoid.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/activations/sigmoid: sigmoid' = y (1 - y) <= 1/4")
checkDerivations(test, derivations)
test.run()
