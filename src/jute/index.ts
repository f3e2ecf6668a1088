export { JuteReader, JUTE_FIELD_BYTES_MAX } from './reader.js';
export { JuteWriter } from './writer.js';
export { JuteDecodeError } from './errors.js';
