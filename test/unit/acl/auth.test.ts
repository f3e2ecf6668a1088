import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { authenticate, SUPER_ID } from '../../../src/acl/authenticate.js';
import { whoAmI } from '../../../src/acl/who-am-i.js';
import type { Id } from '../../../src/proto/data.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const SUPER_DIGEST = 'super:xQJmxLMiHGwaqBvst5y6rkB6HQs=';

describe('authenticate', () => {
  test('digest adds the derived id', () => {
    const result = authenticate('digest', bytes('root:12345'), {});
    assert.deepEqual(result, { ok: true, ids: [{ scheme: 'digest', id: 'root:j9h0MUOgtRf8FIMdZlrZpfoup3c=' }] });
  });

  test('digest always succeeds: wrong password, no colon, empty, null payload', () => {
    for (const payload of [bytes('root:wrong'), bytes('root'), bytes(''), null]) {
      const result = authenticate('digest', payload, { superDigest: SUPER_DIGEST });
      assert.equal(result.ok, true);
      if (result.ok) {
        assert.equal(result.ids.length, 1);
        assert.equal(result.ids[0]!.scheme, 'digest');
      }
    }
  });

  test('digest matching superDigest also adds super:""', () => {
    const result = authenticate('digest', bytes('super:admin'), { superDigest: SUPER_DIGEST });
    assert.deepEqual(result, {
      ok: true,
      ids: [{ scheme: 'digest', id: SUPER_DIGEST }, SUPER_ID],
    });
    assert.deepEqual(SUPER_ID, { scheme: 'super', id: '' });
  });

  test('no superDigest configured: super:admin is an ordinary digest', () => {
    for (const superDigest of [undefined, null]) {
      const result = authenticate('digest', bytes('super:admin'), { superDigest });
      assert.deepEqual(result, { ok: true, ids: [{ scheme: 'digest', id: SUPER_DIGEST }] });
    }
  });

  test('wrong password for super gets no super id', () => {
    const result = authenticate('digest', bytes('super:nope'), { superDigest: SUPER_DIGEST });
    assert.equal(result.ok && result.ids.length, 1);
  });

  test('ip succeeds and adds nothing new', () => {
    assert.deepEqual(authenticate('ip', bytes('1.2.3.4'), {}), { ok: true, ids: [] });
  });

  test('unknown schemes fail', () => {
    for (const scheme of ['foo', 'world', 'auth', 'super', '', 'DIGEST']) {
      assert.deepEqual(authenticate(scheme, bytes('x:y'), {}), { ok: false }, scheme);
    }
  });

  test('digest disabled fails', () => {
    assert.deepEqual(authenticate('digest', bytes('root:12345'), { digestEnabled: false }), { ok: false });
  });
});

describe('whoAmI', () => {
  test('before auth: the ip id', () => {
    assert.deepEqual(whoAmI([{ scheme: 'ip', id: '127.0.0.1' }]), [{ authScheme: 'ip', user: '127.0.0.1' }]);
  });

  test('after digest root and super:admin (the captured case)', () => {
    const ids: Id[] = [
      { scheme: 'digest', id: SUPER_DIGEST },
      { scheme: 'super', id: '' },
      { scheme: 'digest', id: 'root:j9h0MUOgtRf8FIMdZlrZpfoup3c=' },
      { scheme: 'ip', id: '127.0.0.1' },
    ];
    assert.deepEqual(whoAmI(ids), [
      { authScheme: 'digest', user: 'super' },
      { authScheme: 'super', user: '' },
      { authScheme: 'digest', user: 'root' },
      { authScheme: 'ip', user: '127.0.0.1' },
    ]);
  });

  test('other schemes report the id itself', () => {
    assert.deepEqual(whoAmI([{ scheme: 'sasl', id: 'alice@EXAMPLE' }]), [{ authScheme: 'sasl', user: 'alice@EXAMPLE' }]);
    assert.deepEqual(whoAmI([]), []);
  });
});
