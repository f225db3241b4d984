import { suite } from 'uvu'
import { derivations } from '../../proofs/losses/softmax-cross-entropy.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/losses/softmax-cross-entropy: softmax cross-entropy gradient p - y")
checkDerivations(test, derivations)
test.run()
