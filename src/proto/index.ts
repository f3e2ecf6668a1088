// The client protocol's public surface: constants, records, request/response codecs, the
// handshake, frame splitting and the error classes.

export * from './opcodes.js';
export * from './error-codes.js';
export * from './data.js';
export * from './errors.js';
export * from './records.js';
export * from './multi.js';
export * from './requests.js';
export * from './responses.js';
export * from './connect.js';
export * from './frames.js';
