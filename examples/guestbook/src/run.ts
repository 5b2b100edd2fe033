/**
 * Two naras on 127.0.0.1 sign each other's guestbook: alice signs before bob exists,
 * bob joins and reads her book, then signs it, and alice hears of it by broadcast.
 * Each prints its book; the process exits 0 once both hold both entries.
 */
import { createNara, type Message } from 'nara-p2p'
import { GuestbookService } from './guestbook.js'
import type { Entry } from './payloads.js'

const DEADLINE_MS = 60_000
const deadline = setTimeout(() => {
  console.error(`the guestbooks did not meet within ${DEADLINE_MS / 1000} s`)
  process.exit(1)
}, DEADLINE_MS)

const aliceBook = new GuestbookService()
const alice = await createNara({ name: 'alice', services: [aliceBook] })
await aliceBook.sign('alice was here first')

const bobBook = new GuestbookService()
const bob = await createNara({ name: 'bob', bootstrap: alice.multiaddrs(), services: [bobBook] })
await bob.ready({ peers: 1 })
await bobBook.readFrom(alice.identity.id)
console.log(`bob caught up: ${bobBook.entries().length} entry in his book`)

// alice learns of bob's entry by broadcast: wait for it to be added to her book
const heard = new Promise<Entry>((resolve) => {
  alice.runtime.on('guestbook:added', (msg: Message) => {
    const added = msg.payload as Entry
    if (added.authorId === bob.identity.id) resolve(added)
  })
})
await bobBook.sign('hello alice, bob here')
const entry = await heard
console.log(`alice heard from ${entry.author}: "${entry.text}"`)

for (const [name, book] of [['alice', aliceBook], ['bob', bobBook]] as const) {
  console.log(`${name}'s guestbook:`)
  for (const e of book.entries()) console.log(`  ${e.author}: ${e.text}`)
}

await bob.stop()
await alice.stop()
clearTimeout(deadline)
