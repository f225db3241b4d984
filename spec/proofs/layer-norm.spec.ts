import { suite } from 'uvu'
import { derivations } from '../../proofs/normalization/layer-norm.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/normalization/layer-norm: layer norm backward")
checkDerivations(test, derivations)
test.run()
