/** machine-id.ts for browsers, which have none: a tab's nara is given its name and soul. */
export function readMachineId (): string {
  throw new Error('a browser has no machine id: give the nara a name and a soul')
}
