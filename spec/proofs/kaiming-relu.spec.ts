import { suite } from 'uvu'
import { derivations } from '../../proofs/initialization/kaiming-relu.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/initialization/kaiming-relu: Kaiming: E[relu(y)^2] = Var(y)/2")
checkDerivations(test, derivations)
test.run()
