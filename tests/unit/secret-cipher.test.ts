import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createCipheriv } from 'node:crypto';
import { createSecretCipher, masterKeyId, parseKeyInService, parseMasterKey } from '../../src/db/secret-cipher.js';
import type { Log } from '../../src/ports/logger.js';

const key = randomBytes(32);
const secret = JSON.stringify({ secret: 's3cr3t-密钥', token: 'tok', encodingAesKey: 'a'.repeat(43) });

/** Flips one bit of the base64 field at `index` (0 version, 1 key id, 2 iv, 3 tag, 4 body). */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split(':');
  const bytes = Buffer.from(parts[index], 'base64');
  bytes[0] ^= 0x01;
  parts[index] = bytes.toString('base64');
  return parts.join(':');
}

describe('createSecretCipher', () => {
  test('opens what it sealed for the same row', () => {
    const cipher = createSecretCipher(key);
    assert.equal(cipher.open(cipher.seal(secret, 'row-1'), 'row-1'), secret);
    assert.equal(cipher.open(cipher.seal('', 'row-1'), 'row-1'), '');
  });

  test('a second cipher over the same key opens it too (nothing kept in memory)', () => {
    const sealed = createSecretCipher(key).seal(secret, 'row-1');
    assert.equal(createSecretCipher(Buffer.from(key)).open(sealed, 'row-1'), secret);
  });

  test('does not contain the plaintext and differs on every seal', () => {
    const cipher = createSecretCipher(key);
    const a = cipher.seal(secret, 'row-1');
    const b = cipher.seal(secret, 'row-1');
    assert.notEqual(a, b);
    assert.ok(!a.includes('s3cr3t'));
    assert.ok(!Buffer.from(a.split(':')[4], 'base64').toString('utf8').includes('s3cr3t'));
    assert.equal(a.split(':')[0], 'v2');
    assert.equal(a.split(':')[1], masterKeyId(key));
  });

  test('a blob moved to another row does not open (AAD binds the row id)', () => {
    const cipher = createSecretCipher(key);
    const sealed = cipher.seal(secret, 'row-1');
    assert.throws(() => cipher.open(sealed, 'row-2'));
    assert.throws(() => cipher.open(sealed, ''));
  });

  for (const [index, field] of [[2, 'iv'], [3, 'auth tag'], [4, 'ciphertext']] as const) {
    test(`a tampered ${field} does not open`, () => {
      const cipher = createSecretCipher(key);
      const sealed = cipher.seal(secret, 'row-1');
      assert.throws(() => cipher.open(tamper(sealed, index), 'row-1'));
    });
  }

  test('another key does not open it', () => {
    const sealed = createSecretCipher(key).seal(secret, 'row-1');
    assert.throws(() => createSecretCipher(randomBytes(32)).open(sealed, 'row-1'));
  });

  test('an unknown version or a truncated blob is refused as unreadable', () => {
    const cipher = createSecretCipher(key);
    const sealed = cipher.seal(secret, 'row-1');
    assert.throws(() => cipher.open(sealed.replace(/^v2:/, 'v3:'), 'row-1'), /unreadable secret blob/);
    assert.throws(() => cipher.open(sealed.split(':').slice(0, 4).join(':'), 'row-1'), /unreadable secret blob/);
    assert.throws(() => cipher.open(sealed.replace(/^v2:[^:]+:/, 'v2::'), 'row-1'), /unreadable secret blob/);
    assert.throws(() => cipher.open('not a blob', 'row-1'), /unreadable secret blob/);
  });

  for (const length of [0, 16, 31, 33, 64]) {
    test(`refuses a ${length}-byte key`, () => {
      assert.throws(() => createSecretCipher(randomBytes(length)), /MASTER_KEY must be 32 bytes/);
    });
  }
});

/** A blob as the cipher wrote it before issue 16: `v1:iv:tag:body`, no key id. */
function sealV1(k: Buffer, plain: string, rowId: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', k, iv);
  c.setAAD(Buffer.from(`channels:secrets:${rowId}`));
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}

describe('rotating the master key (issue 16 item 6)', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  test('with the old key as previous, it opens old blobs and seals under the new key', () => {
    const old = createSecretCipher(oldKey).seal(secret, 'row-1');
    const both = createSecretCipher(newKey, oldKey);
    assert.equal(both.open(old, 'row-1'), secret);
    const resealed = both.seal(secret, 'row-1');
    assert.equal(createSecretCipher(newKey).open(resealed, 'row-1'), secret, 'the new key alone opens what it seals');
    assert.throws(() => createSecretCipher(oldKey).open(resealed, 'row-1'), /does not hold/, 'the old key alone is refused');
  });

  test('v1 blobs from before key ids open under either key, and the AAD still binds the row', () => {
    const both = createSecretCipher(newKey, oldKey);
    assert.equal(both.open(sealV1(oldKey, secret, 'row-1'), 'row-1'), secret);
    assert.equal(both.open(sealV1(newKey, secret, 'row-1'), 'row-1'), secret);
    assert.throws(() => both.open(sealV1(oldKey, secret, 'row-1'), 'row-2'));
    assert.throws(() => both.open(sealV1(randomBytes(32), secret, 'row-1'), 'row-1'));
  });

  test('needsReseal: only a v2 blob under the current key is done', () => {
    const both = createSecretCipher(newKey, oldKey);
    assert.equal(both.needsReseal(both.seal(secret, 'r')), false);
    assert.equal(both.needsReseal(createSecretCipher(oldKey).seal(secret, 'r')), true);
    assert.equal(both.needsReseal(sealV1(newKey, secret, 'r')), true, 'v1 is re-sealed into the format with a key id');
  });

  test('a key id that names a held key but a blob it did not seal still fails authentication', () => {
    const forged = createSecretCipher(oldKey).seal(secret, 'r').replace(masterKeyId(oldKey), masterKeyId(newKey));
    assert.throws(() => createSecretCipher(newKey, oldKey).open(forged, 'r'));
  });

  test('parseMasterKey accepts what openssl rand -base64 32 prints, and refuses the rest', () => {
    const text = newKey.toString('base64');
    assert.deepEqual(parseMasterKey(text + '\n', 'MASTER_KEY'), newKey);
    assert.deepEqual(parseMasterKey(newKey.toString('base64url'), 'MASTER_KEY'), newKey);
    for (const bad of ['', 'short', randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), text.slice(0, 20) + '!' + text.slice(21), `${text.slice(0, 10)} ${text.slice(10)}`]) {
      assert.throws(() => parseMasterKey(bad, 'MASTER_KEY'), /MASTER_KEY must be 32 random bytes encoded in base64/, JSON.stringify(bad));
    }
  });
});

/** A Log that keeps its warnings, to tell which keys were accepted only by the lenient decoder. */
function warnings(): { log: Log; lines: string[] } {
  const lines: string[] = [];
  const log: Log = { debug: () => {}, info: () => {}, error: () => {}, warn: (_obj, msg) => void lines.push(msg ?? ''), child: () => log };
  return { log, lines };
}

describe('parseKeyInService: keys that worked before issue 16 still do (review of issue 16 item 6)', () => {
  const key = randomBytes(32);
  const text = key.toString('base64');

  const quietForms: [string, string][] = [
    ['double quotes kept by docker --env-file', `"${text}"`],
    ['single quotes', `'${text}'`],
    ['surrounding whitespace and a newline', `  ${text}\n`],
    ['quotes inside surrounding whitespace', ` "${text}"\n`],
    ['wrapped onto two lines', `${text.slice(0, 30)}\n${text.slice(30)}\n`],
    ['wrapped and quoted', `"${text.slice(0, 30)}\r\n  ${text.slice(30)}"`],
    ['base64url', key.toString('base64url')],
  ];
  for (const [form, value] of quietForms) {
    test(`${form}: the same key, no warning`, () => {
      const { log, lines } = warnings();
      assert.deepEqual(parseKeyInService(value, 'MASTER_KEY', log), key);
      assert.deepEqual(lines, []);
    });
  }

  test('anything else the old decoder read as 32 bytes is that key, with a warning that does not show it', () => {
    for (const value of [`${text.slice(0, 20)};${text.slice(20)}`, `"${text}'`, `${text}!`]) {
      const { log, lines } = warnings();
      assert.deepEqual(parseKeyInService(value, 'MASTER_KEY', log), key, value);
      assert.equal(lines.length, 1);
      assert.match(lines[0], /MASTER_KEY is not plain base64 of 32 bytes/);
      assert.ok(!lines[0].includes(text.slice(0, 8)));
    }
  });

  test('a value that was never 32 bytes is still refused', () => {
    for (const bad of ['', '""', 'short', `"${randomBytes(16).toString('base64')}"`, randomBytes(33).toString('base64'), 'not base64!']) {
      assert.throws(() => parseKeyInService(bad, 'MASTER_KEY', warnings().log), /MASTER_KEY must be 32 random bytes encoded in base64/, JSON.stringify(bad));
    }
  });

  test('a new key (--new-key-file) stays strict: quoted or wrapped forms are refused there', () => {
    for (const value of [`"${text}"`, `${text.slice(0, 30)}\n${text.slice(30)}`]) {
      assert.throws(() => parseMasterKey(value, '--new-key-file k'), /must be 32 random bytes/);
    }
  });
});
