import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aclRequirement, checkAcl, getAclView, maskDigestIds } from '../../../src/acl/check.js';
import { fixupAcl, removeDuplicateAcls } from '../../../src/acl/fixup.js';
import { OpCode, Perm } from '../../../src/proto/opcodes.js';
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, CREATOR_ALL_ACL } from '../../../src/proto/data.js';
import type { Acl, Id } from '../../../src/proto/data.js';

const ROOT: Id = { scheme: 'digest', id: 'root:j9h0MUOgtRf8FIMdZlrZpfoup3c=' };
const BOB: Id = { scheme: 'digest', id: 'bob:aaaaaaaaaaaaaaaaaaaaaaaaaaa=' };
const LOCAL: Id = { scheme: 'ip', id: '127.0.0.1' };
const SUPER: Id = { scheme: 'super', id: '' };
const acl = (perms: number, scheme: string, id: string): Acl => ({ perms, id: { scheme, id } });

describe('checkAcl', () => {
  test('skipAcl allows everything, even a node nobody can touch', () => {
    const locked = [acl(Perm.read, 'digest', BOB.id)];
    assert.equal(checkAcl(locked, Perm.write, [], { skipAcl: true }), true);
    assert.equal(checkAcl(locked, Perm.write, [], { skipAcl: false }), false);
    assert.equal(checkAcl(locked, Perm.write, []), false);
  });

  test('an empty or null node ACL allows', () => {
    assert.equal(checkAcl([], Perm.admin, []), true);
    assert.equal(checkAcl(null, Perm.admin, []), true);
  });

  test('any super id allows', () => {
    const locked = [acl(0, 'digest', BOB.id)];
    assert.equal(checkAcl(locked, Perm.admin, [LOCAL, SUPER]), true);
    assert.equal(checkAcl(locked, Perm.admin, [LOCAL]), false);
  });

  test('world:anyone grants its bits only', () => {
    assert.equal(checkAcl(OPEN_ACL_UNSAFE, Perm.delete, []), true);
    assert.equal(checkAcl(READ_ACL_UNSAFE, Perm.read, []), true);
    assert.equal(checkAcl(READ_ACL_UNSAFE, Perm.write, []), false);
    // world with another id is not anyone
    assert.equal(checkAcl([acl(31, 'world', 'someone')], Perm.read, []), false);
  });

  test('digest matches by exact id and same scheme', () => {
    const node = [acl(Perm.read | Perm.write, 'digest', ROOT.id)];
    assert.equal(checkAcl(node, Perm.write, [LOCAL, ROOT]), true);
    assert.equal(checkAcl(node, Perm.write, [LOCAL, BOB]), false);
    assert.equal(checkAcl(node, Perm.admin, [ROOT]), false);
    // same text under another scheme does not match
    assert.equal(checkAcl(node, Perm.read, [{ scheme: 'sasl', id: ROOT.id }]), false);
  });

  test('ip entries match through CIDR', () => {
    const node = [acl(Perm.all, 'ip', '127.0.0.0/8')];
    assert.equal(checkAcl(node, Perm.read, [LOCAL]), true);
    assert.equal(checkAcl(node, Perm.read, [{ scheme: 'ip', id: '10.0.0.1' }]), false);
    assert.equal(checkAcl(node, Perm.read, [{ scheme: 'ip', id: '::1' }]), false);
  });

  test('a multi-bit perm is met by any one bit (getACL READ|ADMIN)', () => {
    const adminOnly = [acl(Perm.admin, 'world', 'anyone')];
    assert.equal(checkAcl(adminOnly, Perm.read | Perm.admin, []), true);
    assert.equal(checkAcl(adminOnly, Perm.read, []), false);
  });

  test('perms 0 entries grant nothing; unknown schemes never match', () => {
    assert.equal(checkAcl([acl(0, 'world', 'anyone')], Perm.read, []), false);
    assert.equal(checkAcl([acl(31, 'x509', 'CN=a')], Perm.read, [{ scheme: 'x509', id: 'CN=a' }]), false);
    assert.equal(checkAcl([acl(31, 'super', '')], Perm.read, [ROOT]), false);
  });

  test('open ACL allows every single perm bit for anyone (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 8, 16), (perm) => checkAcl(OPEN_ACL_UNSAFE, perm, [])),
    );
  });
});

describe('getACL view', () => {
  const node: Acl[] = [acl(Perm.read, 'world', 'anyone'), acl(Perm.all, 'digest', ROOT.id), acl(1, 'ip', '10.0.0.0/8')];

  test('maskDigestIds masks only digest ids', () => {
    assert.deepEqual(maskDigestIds(node), [
      acl(Perm.read, 'world', 'anyone'),
      acl(Perm.all, 'digest', 'root:x'),
      acl(1, 'ip', '10.0.0.0/8'),
    ]);
    assert.deepEqual(maskDigestIds([acl(1, 'digest', 'nocolon')]), [acl(1, 'digest', 'nocolon')]);
    assert.deepEqual(maskDigestIds([acl(1, 'digest', 'a:b:c')]), [acl(1, 'digest', 'a:x')]);
  });

  test('without ADMIN: masked; with ADMIN: full; with neither: null', () => {
    assert.deepEqual(getAclView(node, [LOCAL]), maskDigestIds(node));
    assert.deepEqual(getAclView(node, [LOCAL, ROOT]), node);
    assert.deepEqual(getAclView(node, [SUPER]), node);
    assert.equal(getAclView([acl(Perm.write, 'digest', ROOT.id)], [LOCAL]), null);
    assert.deepEqual(getAclView([acl(Perm.write, 'digest', ROOT.id)], [], { skipAcl: true }), [
      acl(Perm.write, 'digest', ROOT.id),
    ]);
  });
});

describe('aclRequirement (which node, which perm)', () => {
  test('creates check CREATE on the parent, delete DELETE on the parent', () => {
    for (const op of [OpCode.create, OpCode.create2, OpCode.createContainer, OpCode.createTTL]) {
      assert.deepEqual(aclRequirement(op), { target: 'parent', perm: Perm.create });
    }
    assert.deepEqual(aclRequirement(OpCode.delete), { target: 'parent', perm: Perm.delete });
  });

  test('node checks', () => {
    assert.deepEqual(aclRequirement(OpCode.setData), { target: 'node', perm: Perm.write });
    assert.deepEqual(aclRequirement(OpCode.setACL), { target: 'node', perm: Perm.admin });
    assert.deepEqual(aclRequirement(OpCode.getACL), { target: 'node', perm: Perm.read | Perm.admin });
    for (const op of [OpCode.getData, OpCode.getChildren, OpCode.getChildren2, OpCode.getAllChildrenNumber, OpCode.check]) {
      assert.deepEqual(aclRequirement(op), { target: 'node', perm: Perm.read });
    }
    assert.deepEqual(aclRequirement(OpCode.reconfig), { target: 'node', perm: Perm.write });
  });

  test('unchecked ops', () => {
    for (const op of [OpCode.exists, OpCode.sync, OpCode.setWatches, OpCode.setWatches2, OpCode.addWatch,
      OpCode.checkWatches, OpCode.removeWatches, OpCode.whoAmI, OpCode.getEphemerals, OpCode.ping]) {
      assert.deepEqual(aclRequirement(op), { target: 'none' });
    }
  });
});

describe('fixupAcl', () => {
  test('valid lists pass unchanged', () => {
    assert.deepEqual(fixupAcl(OPEN_ACL_UNSAFE, []), [...OPEN_ACL_UNSAFE]);
    const list = [acl(31, 'digest', ROOT.id), acl(1, 'ip', '10.0.0.0/8'), acl(3, 'ip', '1.2.3.4')];
    assert.deepEqual(fixupAcl(list, []), list);
  });

  test('empty or null is invalid', () => {
    assert.equal(fixupAcl([], [ROOT]), null);
    assert.equal(fixupAcl(null, [ROOT]), null);
  });

  test('duplicates are removed', () => {
    const list = [acl(31, 'world', 'anyone'), acl(31, 'world', 'anyone'), acl(1, 'world', 'anyone')];
    assert.deepEqual(fixupAcl(list, []), [acl(31, 'world', 'anyone'), acl(1, 'world', 'anyone')]);
    assert.deepEqual(removeDuplicateAcls([acl(1, 'ip', '1.1.1.1'), acl(1, 'ip', '1.1.1.1')]), [acl(1, 'ip', '1.1.1.1')]);
  });

  test('world must be anyone', () => {
    assert.equal(fixupAcl([acl(31, 'world', 'everyone')], []), null);
    assert.equal(fixupAcl([acl(31, 'world', '')], []), null);
  });

  test('auth expands to the digest ids, not ip nor super; its own id is ignored', () => {
    const ids = [LOCAL, ROOT, SUPER, BOB];
    assert.deepEqual(fixupAcl(CREATOR_ALL_ACL, ids), [acl(31, 'digest', ROOT.id), acl(31, 'digest', BOB.id)]);
    assert.deepEqual(fixupAcl([acl(5, 'auth', 'whatever')], [ROOT]), [acl(5, 'digest', ROOT.id)]);
  });

  test('auth without an authenticated id is invalid', () => {
    assert.equal(fixupAcl(CREATOR_ALL_ACL, []), null);
    assert.equal(fixupAcl(CREATOR_ALL_ACL, [LOCAL]), null);
    assert.equal(fixupAcl(CREATOR_ALL_ACL, [LOCAL, SUPER]), null);
  });

  test('per-scheme validity', () => {
    assert.equal(fixupAcl([acl(31, 'digest', 'nocolon')], []), null);
    assert.equal(fixupAcl([acl(31, 'digest', 'a:b:c')], []), null);
    assert.equal(fixupAcl([acl(31, 'ip', '10.0.0.0/33')], []), null);
    assert.equal(fixupAcl([acl(31, 'ip', 'localhost')], []), null);
    assert.equal(fixupAcl([acl(31, 'ip', '::1')], []), null);
  });

  test('unknown schemes are invalid, even after valid entries', () => {
    assert.equal(fixupAcl([acl(31, 'world', 'anyone'), acl(31, 'foo', 'bar')], []), null);
    assert.equal(fixupAcl([acl(31, 'super', '')], [SUPER]), null);
  });

  test('perms 0 is accepted', () => {
    assert.deepEqual(fixupAcl([acl(0, 'world', 'anyone')], []), [acl(0, 'world', 'anyone')]);
  });

  test('the result never holds auth or an invalid world id (property)', () => {
    const schemes = fc.constantFrom('world', 'auth', 'digest', 'ip', 'foo');
    const ids = fc.constantFrom('anyone', '', 'a:b', '10.0.0.1/8', 'x');
    const entry = fc.record({ perms: fc.nat(31), id: fc.record({ scheme: schemes, id: ids }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), fc.boolean(), (list, withRoot) => {
        const fixed = fixupAcl(list, withRoot ? [LOCAL, ROOT] : [LOCAL]);
        if (fixed === null) return;
        assert.ok(fixed.length > 0);
        for (const a of fixed) {
          assert.notEqual(a.id.scheme, 'auth');
          if (a.id.scheme === 'world') assert.equal(a.id.id, 'anyone');
          assert.ok(['world', 'digest', 'ip'].includes(a.id.scheme));
        }
      }),
      { numRuns: 300 },
    );
  });
});
