import { suite } from 'uvu'
import { derivations } from '../../proofs/optimization/adam-bias-correction.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/optimization/adam-bias-correction: Adam's bias correction")
checkDerivations(test, derivations)
test.run()
