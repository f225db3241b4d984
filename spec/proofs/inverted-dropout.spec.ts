import { suite } from 'uvu'
import { derivations } from '../../proofs/regularization/inverted-dropout.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/regularization/inverted-dropout: inverted dropout keeps the expectation")
checkDerivations(test, derivations)
test.run()
