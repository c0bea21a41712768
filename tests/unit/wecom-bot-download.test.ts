/**
 * issue 15 item 2, review items 9 and 10: which addresses a media download may reach. IPv6 forms
 * that carry an IPv4 address are judged by that address; a name is refused when any of its
 * answers is private (the resolver is a platform boundary: a test resolver stands in for DNS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { embeddedIpv4, isPrivateAddress, publicOnlyLookup } from '../../adapters/wecom/bot-download.js';

test('IPv4-compatible ::/96 is judged by its IPv4 address', () => {
  assert.equal(embeddedIpv4('::127.0.0.1'), '127.0.0.1');
  for (const a of ['::127.0.0.1', '::7f00:1', '::10.0.0.1', '::', '::1']) assert.ok(isPrivateAddress(a), a);
  assert.ok(!isPrivateAddress('::8.8.8.8'));
});

test('IPv4-mapped ::ffff:0:0/96, in dotted and hex form', () => {
  for (const a of ['::ffff:127.0.0.1', '::ffff:7f00:1', '::FFFF:192.168.1.1', '::ffff:a9fe:a9fe']) assert.ok(isPrivateAddress(a), a);
  assert.ok(!isPrivateAddress('::ffff:101.226.103.106'));
});

test('NAT64 64:ff9b::/96 reaches its embedded IPv4; local-use 64:ff9b:1::/48 never', () => {
  assert.equal(embeddedIpv4('64:ff9b::10.0.0.1'), '10.0.0.1');
  for (const a of ['64:ff9b::10.0.0.1', '64:ff9b::7f00:1', '64:ff9b:1::8.8.8.8']) assert.ok(isPrivateAddress(a), a);
  assert.ok(!isPrivateAddress('64:ff9b::808:808'));
});

test('6to4 2002::/16 with a private embedded address is refused, with a public one allowed', () => {
  assert.equal(embeddedIpv4('2002:c0a8:101::1'), '192.168.1.1');
  for (const a of ['2002:c0a8:101::1', '2002:7f00:1::', '2002:a00:1:1::5']) assert.ok(isPrivateAddress(a), a);
  assert.ok(!isPrivateAddress('2002:808:808::1'));
});

test('site-local fec0::/10, Teredo, ULA, link-local and multicast are refused; global unicast is not', () => {
  for (const a of ['fec0::1', 'feff::1', '2001:0:4136:e378::1', 'fd12::1', 'fe80::1', 'ff02::1', 'not an address']) assert.ok(isPrivateAddress(a), a);
  for (const a of ['2402:4e00::1', '240e:ff:e020::1']) assert.ok(!isPrivateAddress(a), a);
});

/** Resolves every name to `answers`, as dns.lookup with all: true would. */
const resolverOf = (answers: LookupAddress[]) =>
  (_host: string, _opts: unknown, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => cb(null, answers);
const lookupOnce = (answers: LookupAddress[], all: boolean) => new Promise<unknown>((resolve) =>
  publicOnlyLookup(resolverOf(answers))('files.example', { all }, (err, address) => resolve(err ? `refused: ${err.message}` : address)));

test('a name with public and private answers is refused, whichever would be picked', async () => {
  const mixed = [{ address: '101.226.103.106', family: 4 }, { address: '10.0.0.7', family: 4 }];
  assert.match(String(await lookupOnce(mixed, false)), /^refused: .*files\.example resolves to a private address/);
  assert.match(String(await lookupOnce(mixed, true)), /^refused: /);
  const mixed6 = [{ address: '2402:4e00::1', family: 6 }, { address: '::ffff:127.0.0.1', family: 6 }];
  assert.match(String(await lookupOnce(mixed6, true)), /^refused: /);
  assert.match(String(await lookupOnce([], false)), /^refused: /);
});

test('a name with only public answers resolves, to all of them when asked for all', async () => {
  const answers = [{ address: '101.226.103.106', family: 4 }, { address: '2402:4e00::1', family: 6 }];
  assert.equal(await lookupOnce(answers, false), '101.226.103.106');
  assert.deepEqual(await lookupOnce(answers, true), answers);
});
