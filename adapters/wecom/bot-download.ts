/**
 * issue 15 item 2: the download of a file a member sent over the long connection. Each image/file
 * frame carries a URL valid for five minutes and its own `aeskey` (SDK types: ImageContent,
 * "五分钟内有效，已加密"); the bytes are AES-256-CBC, IV = key[0..16), PKCS#7 padded to 32, and are
 * decrypted as the SDK's `decryptFile` does, but as they arrive (StreamDecryptor).
 *
 * Not the SDK's `downloadFile`: it fetches through axios with its defaults, which follow up to 21
 * redirects to any address and buffer a body of any size. The URL comes over our authenticated
 * socket from WeCom, but it is still a URL from a payload (protocols/reliability.md §3.2), so here:
 * - https only, on a host whose every address is public (no loopback, private, link-local, CGNAT,
 *   multicast or reserved ranges, IPv4-mapped included), checked on the address actually dialled;
 * - no redirects; at most `maxBytes` (20 MiB by default), refused from Content-Length or mid-stream;
 *   one overall timeout;
 * - one exception, the gateway the admin configured (WECOM_BOT_WS_URL): a private deployment
 *   (私有化部署) serves its files from there, and so does the fake in tests. Its scheme must match
 *   (wss → https, ws → http) and its address is trusted as configured.
 * WeCom publishes no list of download hosts, so none is pinned: a CDN change must not stop media.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { createDecipheriv, type Decipher } from 'node:crypto';
import { PlatformError } from '../../src/domain/errors.js';

export interface DownloadPolicy {
  /** WECOM_BOT_WS_URL: its host (and port) may serve files over the matching scheme. */
  gatewayUrl: string;
  maxBytes: number;
  timeoutMs: number;
}

export interface DownloadedFile {
  body: Buffer;
  /** From Content-Disposition, as the SDK reads it; null when none or not text. */
  fileName: string | null;
}

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
// 2001::/32 (Teredo) hides its IPv4 obfuscated, 64:ff9b:1::/48 is local-use NAT64, fec0::/10 the old site-local.
for (const [net, bits] of [
  ['::1', 128], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 32], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/**
 * The IPv4 address an IPv6 address carries and that a connection to it reaches (review item 9):
 * IPv4-compatible ::a.b.c.d (::/96), IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96 (RFC 6052),
 * 6to4 2002:aabb:ccdd::/16 (RFC 3056). Null for any other address.
 */
export function embeddedIpv4(address: string): string | null {
  const b = ipv6Bytes(address);
  if (!b) return null;
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4 = (at: number) => b.slice(at, at + 4).join('.');
  if (zero(0, 12)) return v4(12);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(12);
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return v4(12);
  if (b[0] === 0x20 && b[1] === 0x02) return v4(2);
  return null;
}

/** The 16 bytes of an IPv6 address (a trailing dotted IPv4 included), or null when it is none. */
function ipv6Bytes(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const words = (part: string | undefined) => (part ? part.split(':').map((w) => parseInt(w, 16)) : []);
  const left = words(head);
  const right = words(tail);
  const all = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

/** Whether an address is one a download must never reach. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 4) return blocked.check(address, 'ipv4');
  const v4 = embeddedIpv4(address);
  // ::/128 (unspecified) embeds 0.0.0.0, blocked as 0.0.0.0/8 is.
  if (v4 !== null) return blocked.check(v4, 'ipv4');
  return blocked.check(address, 'ipv6');
}

type Resolve = (hostname: string, options: dns.LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

/**
 * A lookup refusing a name any of whose answers is private (so no answer can be picked to reach
 * one). `resolve` is dns.lookup; a test passes a resolver of its own (a platform boundary).
 */
export function publicOnlyLookup(resolve: Resolve = dns.lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.find((a) => isPrivateAddress(a.address));
      if (bad || addresses.length === 0) return callback(refused(`${hostname} resolves to a private address`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
const defaultLookup = publicOnlyLookup();

const refused = (why: string) => new PlatformError(`media download refused: ${why}`, { retryable: false });

/** Which transport and lookup the URL may use, or a refusal. */
function route(url: URL, policy: DownloadPolicy): { client: typeof https | typeof http; lookup?: LookupFunction } {
  if (url.username || url.password) throw refused('credentials in the URL');
  const gateway = new URL(policy.gatewayUrl);
  const gatewayScheme = gateway.protocol === 'ws:' ? 'http:' : 'https:';
  if (url.host === gateway.host && url.protocol === gatewayScheme) return { client: url.protocol === 'http:' ? http : https };
  if (url.protocol !== 'https:') throw refused(`${url.protocol} is not https`);
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && isPrivateAddress(literal)) throw refused(`${literal} is a private address`);
  return { client: https, lookup: defaultLookup };
}

/** Downloads an encrypted file and decrypts it with its aeskey. Throws PlatformError (retryable: worth another try). */
export async function downloadEncryptedFile(rawUrl: string, aeskey: string, policy: DownloadPolicy): Promise<DownloadedFile> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw refused('not a URL');
  }
  const { client, lookup } = route(url, policy);
  const { body, disposition } = await fetchDecrypted(client, url, lookup, aeskey, policy);
  if (body.length > policy.maxBytes) throw refused(`larger than ${policy.maxBytes} bytes`);
  return { body, fileName: fileNameOf(disposition) };
}

const undecryptable = (why: string) => new PlatformError(`media not decrypted: ${why}`, { retryable: false });

/**
 * The SDK's decryptFile (AES-256-CBC, IV = key[0..16), PKCS#7 to 32), applied as the bytes arrive
 * (review item 6): the ciphertext is never held whole, and the plaintext is written once, into a
 * buffer sized from Content-Length (bounded by the cap) or, without one, joined once at the end.
 */
class StreamDecryptor {
  private readonly decipher: Decipher;
  private readonly chunks: Buffer[] = [];
  private out: Buffer | null;
  private length = 0;

  constructor(aeskey: string, expected: number | null) {
    const key = Buffer.from(aeskey, 'base64');
    if (key.length !== 32) throw undecryptable('the key is not 32 bytes');
    this.decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    this.decipher.setAutoPadding(false);
    this.out = expected === null ? null : Buffer.allocUnsafe(expected);
  }

  push(chunk: Buffer): void {
    this.keep(this.decipher.update(chunk));
  }

  finish(): Buffer {
    try {
      this.keep(this.decipher.final());
    } catch (err) {
      throw undecryptable((err as Error).message);
    }
    const plain = this.out ? this.out.subarray(0, this.length) : Buffer.concat(this.chunks, this.length);
    const pad = plain[plain.length - 1] ?? 0;
    if (pad < 1 || pad > 32 || pad > plain.length || !plain.subarray(plain.length - pad).every((b) => b === pad)) throw undecryptable('bad padding (a wrong key?)');
    return plain.subarray(0, plain.length - pad);
  }

  private keep(part: Buffer): void {
    if (this.out && this.length + part.length <= this.out.length) part.copy(this.out, this.length);
    else if (this.out) throw undecryptable('longer than its Content-Length');
    else this.chunks.push(part);
    this.length += part.length;
  }
}

function fetchDecrypted(
  client: typeof https | typeof http, url: URL, lookup: LookupFunction | undefined, aeskey: string, policy: DownloadPolicy,
): Promise<{ body: Buffer; disposition?: string }> {
  // The ciphertext is at most one 32-byte padding block longer than the file.
  const limit = policy.maxBytes + 32;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { lookup, signal: AbortSignal.timeout(policy.timeoutMs), headers: { accept: '*/*' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        res.resume();
        // 5xx, 408 and 429 may pass; a redirect is never followed, and other 4xx will not change.
        const retryable = status >= 500 || status === 408 || status === 429;
        return reject(new PlatformError(`media download answered HTTP ${status}`, { retryable, platformCode: `http_${status}` }));
      }
      const declared = res.headers['content-length'] === undefined ? null : Number(res.headers['content-length']);
      const stop = (err: PlatformError) => {
        res.destroy();
        reject(err);
      };
      if (declared !== null && !(declared <= limit)) return stop(refused(`larger than ${policy.maxBytes} bytes`));
      let decryptor: StreamDecryptor;
      try {
        decryptor = new StreamDecryptor(aeskey, declared);
      } catch (err) {
        return stop(err as PlatformError);
      }
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) return stop(refused(`larger than ${policy.maxBytes} bytes`));
        try {
          decryptor.push(chunk);
        } catch (err) {
          stop(err as PlatformError);
        }
      });
      res.on('end', () => {
        try {
          resolve({ body: decryptor.finish(), disposition: res.headers['content-disposition'] });
        } catch (err) {
          reject(err instanceof PlatformError ? err : undecryptable(String(err)));
        }
      });
      res.on('error', (err) => reject(new PlatformError(`media download: ${err.message}`, { retryable: true })));
    });
    req.on('error', (err) => reject(err instanceof PlatformError ? err : new PlatformError(`media download: ${err.message}`, { retryable: true })));
  });
}

/** The SDK's reading of Content-Disposition (filename*=UTF-8'' first, then filename=), made safe to store. */
export function fileNameOf(disposition: string | undefined): string | null {
  if (!disposition) return null;
  const raw = /filename\*=UTF-8''([^;\s]+)/i.exec(disposition)?.[1] ?? /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  if (!raw) return null;
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    name = raw;
  }
  // Control characters, path separators and an overlong name never reach the console.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point.
  name = name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim().slice(0, 255);
  return name || null;
}
