import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { decrypt as libDecrypt } from '@wecom/crypto';
import { decryptStrict, encrypt, sign, verifyAndDecrypt, type CryptoSettings } from '../../adapters/wecom/crypto.js';
import { InvalidSignatureError, PayloadError } from '../../src/domain/errors.js';

// Official vectors, protocols/wecom.md §2.1 (Set A), §2.2 (Set B), §9.
const A = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  corpId: 'ww1436e0e65a779aee',
  get: { signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb', timestamp: '1476416373', nonce: '47744683',
    encrypted: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==' },
  getPlain: '1288432023552776189',
  post: { signature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e', timestamp: '1476422779', nonce: '1597212914',
    encrypted: 'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+' },
  postPlain: '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>',
};

const B = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
  get: { signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3', timestamp: '1409659589', nonce: '263014780',
    encrypted: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==' },
  getPlain: '1616140317555161061',
  post: { signature: '477715d11cdb4164915debcba66cb864d751f3e6', timestamp: '1409659813', nonce: '1372623149',
    encrypted: 'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==' },
  postPlain: '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>',
};

const settingsOf = (set: typeof A | typeof B, maxSkewS = 0): CryptoSettings => ({
  token: set.token, encodingAesKey: set.encodingAesKey, receiveId: set.corpId, maxSkewS,
});

function expectError(fn: () => unknown, type: typeof PayloadError | typeof InvalidSignatureError, code: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    assert.match(err.message, new RegExp(code.replace('[', '\\[')));
    return true;
  });
}

/** Encrypts a hand-made plaintext (for corrupt layouts @wecom/crypto would never produce). */
function rawEncrypt(encodingAesKey: string, plain: Buffer): string {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

function layout(msg: string, receiveId: string, msgLen = Buffer.byteLength(msg)): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msgLen);
  return Buffer.concat([Buffer.from('aaaaaaaaaaaaaaaa'), len, Buffer.from(msg), Buffer.from(receiveId)]);
}

function padded(data: Buffer, padBytes: number[]): Buffer {
  return Buffer.concat([data, Buffer.from(padBytes)]);
}

/** Signs `encrypted` with Set A's token, so only the decryption step can reject it. */
const signedA = (encrypted: string, timestamp = '1476422779') => ({
  signature: sign(A.token, timestamp, '1', encrypted), timestamp, nonce: '1', encrypted,
});

describe('official vectors', () => {
  test('Set A URL verification decrypts to the echo plaintext', () => {
    assert.equal(verifyAndDecrypt(settingsOf(A), A.get), A.getPlain);
  });
  test('Set A message decrypts to the exact inner XML', () => {
    assert.equal(verifyAndDecrypt(settingsOf(A), A.post), A.postPlain);
  });
  test('Set B URL verification decrypts to the echo plaintext', () => {
    assert.equal(verifyAndDecrypt(settingsOf(B), B.get), B.getPlain);
  });
  test('Set B message decrypts to the exact inner XML', () => {
    assert.equal(verifyAndDecrypt(settingsOf(B), B.post), B.postPlain);
  });
  test('re-encrypting Set A with its randoms reproduces the official ciphertexts', () => {
    assert.equal(encrypt(A.encodingAesKey, A.postPlain, A.corpId, '694ce5a83ae07fe3'), A.post.encrypted);
    assert.equal(encrypt(A.encodingAesKey, A.getPlain, A.corpId, '8908d0ff052afda0'), A.get.encrypted);
  });
  test('signatures match the official msg_signature', () => {
    assert.equal(sign(A.token, A.post.timestamp, A.post.nonce, A.post.encrypted), A.post.signature);
    assert.equal(sign(B.token, B.get.timestamp, B.get.nonce, B.get.encrypted), B.get.signature);
  });
});

describe('encrypt', () => {
  test('uses a 16-char alphanumeric random by default and round-trips', () => {
    const enc = encrypt(A.encodingAesKey, '你好 hello', A.corpId);
    assert.match(libDecrypt(A.encodingAesKey, enc).random.toString('latin1'), /^[A-Za-z0-9]{16}$/);
    assert.deepEqual(decryptStrict(A.encodingAesKey, enc), { message: '你好 hello', receiveId: A.corpId });
  });
  test('pads a block-aligned plaintext with a full 32-byte block', () => {
    const msg = 'x'.repeat(64 - 20 - A.corpId.length);
    assert.equal(Buffer.from(encrypt(A.encodingAesKey, msg, A.corpId, 'a'.repeat(16)), 'base64').length, 96);
  });
});

describe('rejections', () => {
  test('wrong token → signature error', () => {
    expectError(() => verifyAndDecrypt({ ...settingsOf(A), token: B.token }, A.get), InvalidSignatureError, '-40001');
  });
  test('a signature of another length is refused, not thrown by timingSafeEqual', () => {
    expectError(() => verifyAndDecrypt(settingsOf(A), { ...A.get, signature: 'abc' }), InvalidSignatureError, '-40001');
  });
  test('wrong receiveid → -40005', () => {
    expectError(() => verifyAndDecrypt({ ...settingsOf(A), receiveId: B.corpId }, A.post), InvalidSignatureError, '-40005');
  });
  test('a "+" turned into a space fails the signature, and fails decoding even when signed', () => {
    const mangled = B.get.encrypted.replace(/\+/g, ' ');
    expectError(() => verifyAndDecrypt(settingsOf(B), { ...B.get, encrypted: mangled }), InvalidSignatureError, '-40001');
    const resigned = { ...B.get, encrypted: mangled, signature: 'f4455856ea39cd4169aad045937055fde10bc819' };
    expectError(() => verifyAndDecrypt(settingsOf(B), resigned), PayloadError, '-40010');
  });
  test('truncated ciphertext → -40007', () => {
    const short = Buffer.from(A.post.encrypted, 'base64').subarray(0, 200).toString('base64');
    expectError(() => verifyAndDecrypt(settingsOf(A), signedA(short)), PayloadError, '-40007');
  });
  test('empty or non-canonical base64 → -40010', () => {
    expectError(() => verifyAndDecrypt(settingsOf(A), signedA('')), PayloadError, '-40010');
    expectError(() => verifyAndDecrypt(settingsOf(A), signedA('QUJD\nREVG')), PayloadError, '-40010');
  });
  test('wrong key → payload error, never garbage', () => {
    expectError(() => verifyAndDecrypt({ ...settingsOf(A), encodingAesKey: B.encodingAesKey }, A.post), PayloadError, '-4000');
  });
  test('bad padding → -40007', () => {
    const base = layout('hi', A.corpId); // 40 bytes: 24 bytes of padding to 64
    const cases = [Array(24).fill(0), [...Array(23).fill(24), 23], [...Array(23).fill(0), 33]];
    for (const pad of cases) {
      const enc = rawEncrypt(A.encodingAesKey, padded(base, pad));
      expectError(() => verifyAndDecrypt(settingsOf(A), signedA(enc)), PayloadError, '-40007');
    }
  });
  test('msg_len beyond the buffer, or a buffer shorter than its header → -40008', () => {
    const long = rawEncrypt(A.encodingAesKey, padded(layout('hi', A.corpId, 1000), Array(24).fill(24)));
    expectError(() => verifyAndDecrypt(settingsOf(A), signedA(long)), PayloadError, '-40008');
    const tiny = rawEncrypt(A.encodingAesKey, padded(Buffer.from('0123456789abcdef'), Array(16).fill(16)));
    expectError(() => verifyAndDecrypt(settingsOf(A), signedA(tiny)), PayloadError, '-40008');
  });
  test('an EncodingAESKey that is not 43 letters/digits → -40004', () => {
    expectError(() => decryptStrict(A.encodingAesKey.slice(1), A.post.encrypted), PayloadError, '-40004');
    expectError(() => decryptStrict(`${A.encodingAesKey.slice(1)}+`, A.post.encrypted), PayloadError, '-40004');
  });
});

describe('replay window', () => {
  const now = new Date('2024-05-01T00:00:00Z');
  const nowS = Math.floor(now.getTime() / 1000);
  const at = (offsetS: number) => {
    const timestamp = String(nowS + offsetS);
    return signedA(encrypt(A.encodingAesKey, 'ping', A.corpId), timestamp);
  };
  const withWindow = { ...settingsOf(A, 300), now };

  test('accepts a timestamp inside the window', () => {
    assert.equal(verifyAndDecrypt(withWindow, at(-299)), 'ping');
    assert.equal(verifyAndDecrypt(withWindow, at(299)), 'ping');
  });
  test('refuses stale and future timestamps', () => {
    expectError(() => verifyAndDecrypt(withWindow, at(-301)), InvalidSignatureError, '[timestamp]');
    expectError(() => verifyAndDecrypt(withWindow, at(301)), InvalidSignatureError, '[timestamp]');
  });
  test('the official vectors are stale under a 300 s window', () => {
    expectError(() => verifyAndDecrypt({ ...settingsOf(A, 300), now }, A.post), InvalidSignatureError, '[timestamp]');
  });
});
