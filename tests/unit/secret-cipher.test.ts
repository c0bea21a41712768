import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createSecretCipher } from '../../src/db/secret-cipher.js';

const key = randomBytes(32);
const secret = JSON.stringify({ secret: 's3cr3t-密钥', token: 'tok', encodingAesKey: 'a'.repeat(43) });

/** Flips one bit of the base64 field at `index` (0 version, 1 iv, 2 tag, 3 body). */
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
    assert.ok(!Buffer.from(a.split(':')[3], 'base64').toString('utf8').includes('s3cr3t'));
    assert.equal(a.split(':')[0], 'v1');
  });

  test('a blob moved to another row does not open (AAD binds the row id)', () => {
    const cipher = createSecretCipher(key);
    const sealed = cipher.seal(secret, 'row-1');
    assert.throws(() => cipher.open(sealed, 'row-2'));
    assert.throws(() => cipher.open(sealed, ''));
  });

  for (const [index, field] of [[1, 'iv'], [2, 'auth tag'], [3, 'ciphertext']] as const) {
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
    assert.throws(() => cipher.open(sealed.replace(/^v1:/, 'v2:'), 'row-1'), /unreadable secret blob/);
    assert.throws(() => cipher.open(sealed.split(':').slice(0, 3).join(':'), 'row-1'), /unreadable secret blob/);
    assert.throws(() => cipher.open('not a blob', 'row-1'), /unreadable secret blob/);
  });

  for (const length of [0, 16, 31, 33, 64]) {
    test(`refuses a ${length}-byte key`, () => {
      assert.throws(() => createSecretCipher(randomBytes(length)), /MASTER_KEY must be 32 bytes/);
    });
  }
});
