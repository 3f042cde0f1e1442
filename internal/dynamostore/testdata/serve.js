// Starts dynalite (an implementation of the DynamoDB API, in memory) for the Go tests:
// on 127.0.0.1 only, on a port the OS picks, printed as "PORT <n>" once it listens.
// dynalite's own CLI cannot do that (it treats --port 0 as "use 4567").
// Tables are ACTIVE at once so tests need not wait. The process exits when its stdin
// closes, so a test binary that dies never leaves it running.
'use strict'
const dynalite = require('dynalite')

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
server.listen(0, '127.0.0.1', () => {
  console.log(`PORT ${server.address().port}`)
})
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
