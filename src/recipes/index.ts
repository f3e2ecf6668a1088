// zkts/recipes: coordination recipes built on the public zkts client API (see docs/recipes.md).

export * from './retry.js';
export { RecipeTimeoutError, sleep, ensurePath, sequenceOf, sortBySequence, createProtected, type WaitOptions } from './util.js';
export * from './session.js';
export * from './lock.js';
export * from './rw-lock.js';
export * from './semaphore.js';
export * from './leader.js';
export * from './queue.js';
export * from './locking-queue.js';
export * from './barrier.js';
export * from './counter.js';
export * from './value.js';
export * from './node-cache.js';
export * from './tree-cache.js';
export * from './persistent-node.js';
export * from './discovery.js';
export * from './ids.js';
export * from './config.js';
