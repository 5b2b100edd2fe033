/** A soul string or seed is malformed, or was made for a different name. */
export class InvalidSoulError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'InvalidSoulError'
  }
}

/** A nara name breaks the naming rules. */
export class InvalidNameError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'InvalidNameError'
  }
}

/** Sealed data could not be decrypted or authenticated. */
export class OpenFailedError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'OpenFailedError'
  }
}
