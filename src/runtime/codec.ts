/**
 * How a behavior turns its payload into bytes and back, and what it accepts.
 * `validate` runs on every emitted and every received payload; a problem drops
 * the message before any handler sees it.
 */
export interface PayloadCodec<T> {
  /** the payload message name, as in protocols/*.proto */
  readonly name: string
  /** The payload's bytes on the wire. */
  encode(payload: T): Uint8Array
  /** The payload from its bytes; throws on bytes that are not one. */
  decode(bytes: Uint8Array): T
  /** one line describing what is wrong, or undefined when the payload is acceptable */
  validate(payload: T): string | undefined
}

/** The shape protons generates for a message: `Message.encode` / `Message.decode`. */
export interface ProtobufMessage<T> {
  /** The message's protobuf bytes. */
  encode(obj: Partial<T>): Uint8Array
  /** The message from its protobuf bytes; throws on bytes that are not one. */
  decode(bytes: Uint8Array): T
}

/**
 * A generated message type with its byte fields, nested ones included, as plain
 * `Uint8Array` (protons types them `Uint8Array<ArrayBuffer>`, which services should
 * not have to care about).
 */
export type Payload<T> = T extends Uint8Array
  ? Uint8Array
  : T extends Array<infer E> ? Array<Payload<E>> : T extends object ? { [K in keyof T]: Payload<T[K]> } : T

/** Wraps a protons-generated message as a payload codec, with an optional validator. */
export function protobufPayload<T> (
  name: string,
  message: ProtobufMessage<T>,
  validate: (payload: Payload<T>) => string | undefined = () => undefined
): PayloadCodec<Payload<T>> {
  return {
    name,
    encode: (payload) => message.encode(payload as Partial<T>),
    decode: (bytes) => message.decode(bytes) as Payload<T>,
    validate
  }
}
