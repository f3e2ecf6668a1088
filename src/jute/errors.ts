// A record could not be decoded: truncated input, a length out of bounds, or trailing garbage
// where none is allowed. The server answers it with MarshallingError (-5) or closes the connection.

export class JuteDecodeError extends Error {
  override name = 'JuteDecodeError';
}
