/**
 * A network as a value (case format v2, "Graph cases"): a list of catalogue
 * ops wired by value names, like an ONNX graph.
 *
 *   Graph = { nodes: [{ op, attrs?, inputs: {opInput: value}, outputs: {opOutput: value} }] }
 *
 * `compile` checks the wiring once, at the edge: every op is in the catalogue
 * (and is not `graph` or `train`), its attributes parse, every input name and
 * output name is one the op declares, every value is defined exactly once
 * (as a graph input or as one node output) before it is used. What it returns
 * is total to interpret (./interpret.ts) except for the ops' own shape checks.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RawAttrs } from '../core/attrs.ts'
import { type OpError, invalid, show, unsupported } from '../core/errors.ts'
import type { Op } from '../core/op.ts'
import { lookup } from '../registry.ts'

export interface Node {
  readonly op: string
  readonly attrs?: RawAttrs
  /** op input name -> value name */
  readonly inputs: Readonly<Record<string, string>>
  /** op output name -> new value name (an output not mapped is discarded) */
  readonly outputs: Readonly<Record<string, string>>
}

export interface Graph { readonly nodes: readonly Node[] }

export interface CompiledNode {
  readonly index: number
  readonly node: Node
  readonly op: Op
  readonly attrs: unknown
}

export interface Compiled {
  readonly graph: Graph
  readonly nodes: readonly CompiledNode[]
  /** The values the graph reads but no node defines, in first-use order. */
  readonly inputs: readonly string[]
  /** Every value a node defines -> the index of that node. */
  readonly producer: ReadonlyMap<string, number>
}

/** The errors of node i name it: `nodes[i] (op).arg`. */
export const atNode = (i: number, opName: string, e: OpError): OpError =>
  ({ ...e, op: 'graph', arg: `nodes[${i}] (${opName}): ${e.op === opName ? '' : e.op + ': '}${e.arg}` })

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A JSON value (already parsed) as a graph, checking only its structure. */
export const parseGraph = (v: unknown, path = 'graph'): E.Either<OpError, Graph> => {
  const bad = (arg: string, expected: string, got: unknown) => E.left(invalid('graph', arg, expected, show(got)))
  if (!isPlainObject(v)) return bad(path, 'an object {nodes: [...]}', v)
  for (const k of Object.keys(v)) if (k !== 'nodes') return bad(`${path}.${k}`, 'no other field than nodes', k)
  if (!Array.isArray(v.nodes)) return bad(`${path}.nodes`, 'a list of nodes', v.nodes)
  const nodes: Node[] = []
  for (let i = 0; i < v.nodes.length; i++) {
    const n = v.nodes[i] as unknown
    const at = `${path}.nodes[${i}]`
    if (!isPlainObject(n)) return bad(at, 'a node {op, attrs?, inputs, outputs}', n)
    for (const k of Object.keys(n)) if (!['op', 'attrs', 'inputs', 'outputs'].includes(k)) return bad(`${at}.${k}`, 'one of the fields op, attrs, inputs, outputs', k)
    if (typeof n.op !== 'string' || n.op.length === 0) return bad(`${at}.op`, 'an op name', n.op)
    if (n.attrs !== undefined && !isPlainObject(n.attrs)) return bad(`${at}.attrs`, 'an object of attributes', n.attrs)
    for (const f of ['inputs', 'outputs'] as const) {
      const m = n[f]
      if (!isPlainObject(m)) return bad(`${at}.${f}`, 'an object mapping op names to value names', m)
      for (const [k, s] of Object.entries(m)) if (typeof s !== 'string' || s.length === 0) return bad(`${at}.${f}.${k}`, 'a value name (a non-empty string)', s)
    }
    nodes.push({ op: n.op, ...(n.attrs === undefined ? {} : { attrs: n.attrs as RawAttrs }), inputs: n.inputs as Record<string, string>, outputs: n.outputs as Record<string, string> })
  }
  return E.right({ nodes })
}

/**
 * Check a graph's wiring against the catalogue. `given` names the values
 * supplied from outside (a case's inputs); a value read but neither given nor
 * defined by an earlier node is an error, as is a value defined twice. With
 * `given` undefined, every value no node defines counts as given.
 */
export const compile = (graph: Graph, given?: readonly string[]): E.Either<OpError, Compiled> => {
  const defined = new Set<string>(given ?? [])
  const producer = new Map<string, number>()
  const inputs: string[] = []
  const nodes: CompiledNode[] = []
  const err = (i: number, arg: string, expected: string, got: string, hint?: string) =>
    E.left(invalid('graph', `nodes[${i}]${arg}`, expected, got, hint))
  for (let i = 0; i < graph.nodes.length; i++) {
    const node = graph.nodes[i]
    if (node.op === 'graph' || node.op === 'train') return err(i, '.op', 'a catalogue op other than graph and train', show(node.op))
    const op = lookup(node.op)
    if (op === undefined) return E.left(unsupported('graph', `nodes[${i}].op`, 'an op in the oracle\'s catalogue', show(node.op)))
    const attrs = op.parseAttrs(node.attrs)
    if (E.isLeft(attrs)) return E.left(atNode(i, node.op, attrs.left))
    for (const [name, value] of Object.entries(node.inputs)) {
      if (!op.inputs.some((s) => s.name === name)) return err(i, `.inputs.${name}`, `one of ${node.op}'s inputs ${op.inputs.map((s) => s.name).join(', ')}`, `unknown input ${show(name)}`)
      if (!defined.has(value)) {
        if (given !== undefined) return err(i, `.inputs.${name}`, 'a value defined before this node (a case input or an earlier node output)', show(value))
        defined.add(value)
      }
      if (!producer.has(value) && !inputs.includes(value)) inputs.push(value)
    }
    for (const [name, value] of Object.entries(node.outputs)) {
      if (!op.outputs.some((o) => o.name === name)) return err(i, `.outputs.${name}`, `one of ${node.op}'s outputs ${op.outputs.map((o) => o.name).join(', ')}`, `unknown output ${show(name)}`)
      if (defined.has(value)) return err(i, `.outputs.${name}`, 'a new value name (each value is defined once)', `${show(value)}, already defined`)
      defined.add(value)
      producer.set(value, i)
    }
    nodes.push({ index: i, node, op, attrs: attrs.right })
  }
  return E.right({ graph, nodes, inputs, producer })
}
