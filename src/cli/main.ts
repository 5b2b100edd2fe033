// libp2p needs Promise.withResolvers (Node 22+): install it before anything loads libp2p.
import '../polyfill.js'
import { runCli } from './run.js'

// Bundled as CommonJS (dist/nara-cli.cjs) for the launcher's code cache, so no top-level await.
void runCli(process.argv).then(code => { if (code !== undefined) process.exit(code) })
