// libp2p v3 calls Promise.withResolvers, which arrived in Node 22. Every supported Node
// (engines: >=22) has it, so this defines nothing there; it stays for Node 20, past its
// end of life but still the Node of some machines (this project's CI among them).
// Every entry point imports this module before anything that loads libp2p.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T> () {
      let resolve!: (value: T | PromiseLike<T>) => void
      let reject!: (reason?: unknown) => void
      const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
      return { promise, resolve, reject }
    }
  })
}
export {}
