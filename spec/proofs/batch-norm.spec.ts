import { suite } from 'uvu'
import { derivations } from '../../proofs/normalization/batch-norm.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/normalization/batch-norm: batch norm backward (training)")
checkDerivations(test, derivations)
test.run()
