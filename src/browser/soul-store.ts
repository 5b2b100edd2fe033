/// <reference lib="dom" />
/** A nara's name and soul, as a tab keeps them. The soul is secret: it never leaves the store and the page. */
export interface KeptSoul {
  name: string
  soul: string
}

/** Where a tab keeps its soul between loads. */
export interface SoulStore {
  load(): Promise<KeptSoul | undefined>
  save(kept: KeptSoul): Promise<void>
}

const STORE = 'soul'
const KEY = 'current'

/**
 * The soul in the browser's IndexedDB (database `nara` by default), per origin: a
 * reload of the page is the same nara.
 */
export function indexedDbSoulStore (database = 'nara'): SoulStore {
  const open = async (): Promise<IDBDatabase> => await new Promise((resolve, reject) => {
    const request = indexedDB.open(database, 1)
    request.onupgradeneeded = () => { request.result.createObjectStore(STORE) }
    request.onsuccess = () => { resolve(request.result) }
    request.onerror = () => { reject(request.error ?? new Error(`cannot open IndexedDB database ${database}`)) }
  })
  const run = async <T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest): Promise<T> => {
    const db = await open()
    try {
      return await new Promise<T>((resolve, reject) => {
        const tx = db.transaction(STORE, mode)
        const request = work(tx.objectStore(STORE))
        tx.oncomplete = () => { resolve(request.result as T) }
        tx.onerror = () => { reject(tx.error ?? new Error('IndexedDB transaction failed')) }
        tx.onabort = () => { reject(tx.error ?? new Error('IndexedDB transaction aborted')) }
      })
    } finally {
      db.close()
    }
  }
  return {
    load: async () => {
      const kept = await run<unknown>('readonly', store => store.get(KEY))
      return isKeptSoul(kept) ? { name: kept.name, soul: kept.soul } : undefined
    },
    save: async (kept) => { await run('readwrite', store => store.put({ name: kept.name, soul: kept.soul }, KEY)) }
  }
}

/** A store that forgets at the end of the session (and where IndexedDB is missing). */
export function memorySoulStore (): SoulStore {
  let current: KeptSoul | undefined
  return {
    load: async () => current,
    save: async (kept) => { current = { ...kept } }
  }
}

function isKeptSoul (value: unknown): value is KeptSoul {
  const v = value as Partial<KeptSoul> | undefined
  return typeof v?.name === 'string' && typeof v.soul === 'string'
}
