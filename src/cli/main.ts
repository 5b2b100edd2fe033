#!/usr/bin/env -S node --max-semi-space-size=4
// libp2p needs Promise.withResolvers (Node 22+): install it before anything loads libp2p.
import '../polyfill.js'
import { runCli } from './run.js'

const code = await runCli(process.argv)
if (code !== undefined) process.exit(code)
