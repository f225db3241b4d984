/** `nn-oracle ops`: the catalogue as the oracle has it. */
import { allOps } from '../registry.ts'
import { table } from './table.ts'

export const opsCommand = async (): Promise<number> => {
  const rows = allOps.map((o) => [
    o.name,
    o.inputs.map((i) => i.name + (i.optional ? '?' : '')).join(', '),
    o.outputs.map((x) => x.name).join(', '),
  ])
  console.log(table(['op', 'inputs', 'outputs'], rows))
  return 0
}
