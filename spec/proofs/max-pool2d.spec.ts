import { suite } from 'uvu'
import { derivations } from '../../proofs/pooling/max-pool2d.proof.ts'
import { checkDerivations } from './support.ts'

const test = suite("proofs/pooling/max-pool2d: max pooling backward: routed to the argmax")
checkDerivations(test, derivations)
test.run()
