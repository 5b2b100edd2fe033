// Injected by esbuild into the CommonJS CLI bundle (npm run bundle): `import.meta.url`
// there is the bundle file's URL, as in an ES module.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href
