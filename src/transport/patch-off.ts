const warned = new Set<string>()

/**
 * Says, once per process and patch, that a patch of upstream internals is off and
 * why: the upstream version installed lacks what it hooks, so that component runs
 * unpatched (as upstream ships it) rather than failing the node.
 */
export function warnPatchOff (patch: string, why: string): void {
  if (warned.has(patch)) return
  warned.add(patch)
  process.emitWarning(`${patch} is off, ${why}; running without it (see docs/upstream.md)`, { code: 'NARA_PATCH_OFF' })
}
