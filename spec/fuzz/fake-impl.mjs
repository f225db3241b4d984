// A misbehaving implementation for fuzz's fault tests. It answers relu cases
// correctly for the first AFTER cases, then does MODE:
//   crash | hang | garbage | binary | midline | warn | wrong-id | huge | silent-exit | decline
const [mode, afterText] = process.argv.slice(2)
const after = Number(afterText ?? 0)
let seen = 0, buf = ''
const out = (s) => process.stdout.write(s)
const answer = (c) => {
  const x = c.inputs.x.data.map(Number), g = c.cotangents ? c.cotangents.y.data.map(Number) : x.map(() => 0)
  return JSON.stringify({ id: c.id, outputs: { y: { dtype: 'float64', shape: c.inputs.x.shape, data: x.map((v) => (v > 0 ? v : 0)) } },
    gradients: { x: { dtype: 'float64', shape: c.inputs.x.shape, data: x.map((v, i) => (v > 0 ? g[i] : 0)) } } }) + '\n'
}
process.stdin.on('data', (b) => {
  buf += b
  let nl
  while ((nl = buf.indexOf('\n')) >= 0) {
    const c = JSON.parse(buf.slice(0, nl)); buf = buf.slice(nl + 1)
    if (seen++ < after) { out(answer(c)); continue }
    switch (mode) {
      case 'crash': process.exit(3)
      case 'hang': return
      case 'garbage': out('this is not json\n'); break
      case 'binary': out(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a])); break
      case 'midline': out(answer(c).slice(0, 20)); process.exit(0)
      case 'warn': out('Warning: something\n' + answer(c)); break
      case 'wrong-id': out(answer({ ...c, id: 'other' })); break
      case 'huge': out('['.repeat(70 * 1024 * 1024)); break
      case 'silent-exit': process.exit(0)
      case 'decline': out(JSON.stringify({ id: c.id, error: 'nope' }) + '\n'); break
      default: out(answer(c))
    }
  }
})
