import { suite } from 'uvu'
import { derivations } from '../../proofs/normalization/instance-norm.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/normalization/instance-norm: instance norm backward")
checkDerivations(test, derivations)
test.run()
