// Client protocol op codes (also the TxnHeader type of logged txns). Facts: protocol.md §4.4.

export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;
export type OpCode = (typeof OpCode)[keyof typeof OpCode];

/** Special request/reply xids. */
export const Xid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const;

/** CreateMode flags of create requests. */
export const CreateFlag = {
  persistent: 0,
  ephemeral: 1,
  persistentSequential: 2,
  ephemeralSequential: 3,
  container: 4,
  persistentWithTtl: 5,
  persistentSequentialWithTtl: 6,
} as const;

export const Perm = {
  read: 1,
  write: 2,
  create: 4,
  delete: 8,
  admin: 16,
  all: 31,
} as const;

export const EventType = {
  none: -1,
  nodeCreated: 1,
  nodeDeleted: 2,
  nodeDataChanged: 3,
  nodeChildrenChanged: 4,
  dataWatchRemoved: 5,
  childWatchRemoved: 6,
  persistentWatchRemoved: 7,
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export const KeeperState = {
  disconnected: 0,
  syncConnected: 3,
  authFailed: 4,
  connectedReadOnly: 5,
  saslAuthenticated: 6,
  expired: -112,
  closed: 7,
} as const;

/** checkWatches / removeWatches type. */
export const WatcherType = { children: 1, data: 2, any: 3 } as const;

/** addWatch mode. */
export const AddWatchMode = { persistent: 0, persistentRecursive: 1 } as const;

/** The 4-letter op abbreviations shown by `cons` (lop=...). */
export function opAbbreviation(op: number): string {
  switch (op) {
    case OpCode.ping: return 'PING';
    case OpCode.createSession: return 'SESS';
    case OpCode.create: case OpCode.create2: case OpCode.createContainer: case OpCode.createTTL: return 'CREA';
    case OpCode.delete: case OpCode.deleteContainer: return 'DELE';
    case OpCode.setData: return 'SETD';
    case OpCode.setACL: return 'SETA';
    case OpCode.getACL: return 'GETA';
    case OpCode.getData: return 'GETD';
    case OpCode.getChildren: case OpCode.getChildren2: return 'GETC';
    case OpCode.exists: return 'EXIS';
    case OpCode.sync: return 'SYNC';
    case OpCode.check: return 'CHEC';
    case OpCode.multi: return 'MULT';
    case OpCode.multiRead: return 'MLTR';
    case OpCode.setWatches: return 'SETW';
    case OpCode.setWatches2: return 'STW2';
    case OpCode.addWatch: return 'ADDW';
    case OpCode.checkWatches: return 'CHKW';
    case OpCode.removeWatches: return 'REMW';
    case OpCode.whoAmI: return 'HOMI';
    case OpCode.getEphemerals: return 'GETE';
    case OpCode.getAllChildrenNumber: return 'GETACN';
    case OpCode.reconfig: return 'RECO';
    case OpCode.closeSession: return 'CLOS';
    default: return 'NA';
  }
}
