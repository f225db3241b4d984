import { suite } from 'uvu'
import { derivations } from '../../proofs/initialization/variance-of-sum.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/initialization/variance-of-sum: Var(sum w x) = n Var(w) Var(x)")
checkDerivations(test, derivations)
test.run()
