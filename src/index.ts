// The zkts package root: the TypeScript client library (also at `zkts/client`).
export * from './client/index.js';
