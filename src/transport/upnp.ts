import type { uPnPNAT } from '@libp2p/upnp-nat'

export type UpnpFactory = ReturnType<typeof uPnPNAT>

/**
 * libp2p's UPnP service, loaded only when a nara is asked to use it: its SSDP client
 * reads its own package.json at load time, which a bundled CLI cannot do, so the
 * CLI bundle keeps the package external and this import happens at run time.
 */
export async function loadUpnp (): Promise<UpnpFactory> {
  const { uPnPNAT } = await import('@libp2p/upnp-nat')
  return uPnPNAT()
}
