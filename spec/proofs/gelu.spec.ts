import { suite } from 'uvu'
import { derivations } from '../../proofs/activations/gelu.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/activations/gelu: GELU' (exact and tanh forms)")
checkDerivations(test, derivations)
test.run()
