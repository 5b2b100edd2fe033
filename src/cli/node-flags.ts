/**
 * V8 flags every `nara` process runs with (the bin's shebang, `npm start`, the swarm
 * and scale scripts). A node is a small daemon that allocates little: a 4 MB young
 * generation instead of V8's 16 MB semi-spaces takes about 17 MB off each process's
 * RSS in a swarm of 30, at no measurable CPU cost (see README, Scale). One V8 worker
 * thread instead of four (for concurrent compiling and marking) takes about 4 MB more
 * off each: a daemon has little to compile in the background, and a swarm's processes
 * share the same few cores anyway.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--v8-pool-size=1']
