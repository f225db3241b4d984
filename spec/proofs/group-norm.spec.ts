import { suite } from 'uvu'
import { derivations } from '../../proofs/normalization/group-norm.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/normalization/group-norm: group norm backward")
checkDerivations(test, derivations)
test.run()
