// The `hash` four-letter word: (zxid, tree digest) at every zxid divisible by 128, oldest first,
// "zxid-in-hex: digest-as-a-long" per line. The same writes give the same zxids on both servers,
// so the lines must name the same zxids (the digests differ: they cover ctime/mtime).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../src/client/index.js';
import { startTarget, targetKinds, type Server } from '../support/target.js';
import { fourLetterWord } from '../support/server-process.js';

const servers: Server[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});

test('hash lists the digest at every 128th zxid, in Apache\'s format', async () => {
  const answers = new Map<string, string>();
  for (const kind of targetKinds()) {
    const server = await startTarget(kind, { extraCfg: { '4lw.commands.whitelist': '*' } });
    servers.push(server);
    const client = await connect(server.connectString);
    for (let i = 0; i < 300; i++) await client.create(`/h${i}`);
    await client.close();
    answers.set(kind, await fourLetterWord(server.host, server.port, 'hash', 5000));
  }
  for (const [kind, text] of answers) {
    assert.match(text, /^([0-9a-f]+: -?\d+\n)+$/, `${kind}: ${JSON.stringify(text)}`);
    // createSession is zxid 1, the creates 2..301, closeSession 302: 0x80 and 0x100 are recorded.
    assert.deepEqual(text.trim().split('\n').map((line) => line.split(':')[0]), ['80', '100'], kind);
  }
});
