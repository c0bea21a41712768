import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoDoctype, parseEnvelope, parseXml } from '../../adapters/wecom/xml.js';
import { PayloadError } from '../../src/domain/errors.js';

// Bodies as protocols/wecom.md shows them (§2.1 Set A, §2.2 Set B, §5.1); literal strings so the test trusts no fake.
const SET_A_ENCRYPT = 'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+';
const SET_A_ENVELOPE = `<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA[${SET_A_ENCRYPT}]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>`;
const SET_A_TEXT = '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>';
const SET_B_TEXT = '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>';

const MALFORMED = '[-40002] malformed XML';
const NOT_XML_ROOT = '[-40002] XML root must be <xml>';

/** The record as a plain object, so deepEqual compares keys and values only. */
const parse = (xml: string) => ({ ...parseXml(xml) });
const leaf = (inner: string) => parseXml(`<xml><A>${inner}</A></xml>`).A;

function rejects(xml: string, message = MALFORMED): void {
  assert.throws(() => parseXml(xml), (err: unknown) => {
    assert.ok(err instanceof PayloadError, `not a PayloadError: ${String(err)}`);
    assert.equal(err.message, message, JSON.stringify(xml));
    assert.equal(err.httpStatus, 400);
    return true;
  }, JSON.stringify(xml));
}

describe('WeCom documents', () => {
  test('Set B text message: every field, MsgId as an exact string, a null-prototype record', () => {
    const rec = parseXml(SET_B_TEXT);
    assert.equal(Object.getPrototypeOf(rec), null);
    assert.deepEqual({ ...rec }, {
      ToUserName: 'wx5823bf96d3bd56c7', FromUserName: 'mycreate', CreateTime: '1409659813', MsgType: 'text',
      Content: 'hello', MsgId: '4561255354251345929', AgentID: '218',
    });
    assert.deepEqual(Object.keys(rec), ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Content', 'MsgId', 'AgentID']);
  });
  test('Set A decrypted text message without CDATA', () => {
    assert.deepEqual(parse(SET_A_TEXT), {
      ToUserName: 'ww1436e0e65a779aee', FromUserName: 'ChenJiaShun', CreateTime: '1476422779', MsgType: 'text',
      Content: '你好', MsgId: '1456453720', AgentID: '1000002',
    });
  });
  test('an event with containers: ScanCodeInfo flattens with dots', () => {
    const xml = '<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName>'
      + '<CreateTime>1408090186</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[scancode_push]]></Event>'
      + '<EventKey><![CDATA[6]]></EventKey><ScanCodeInfo>\n  <ScanType><![CDATA[qrcode]]></ScanType>\n  <ScanResult><![CDATA[1]]></ScanResult>\n</ScanCodeInfo>'
      + '<AgentID>1</AgentID></xml>';
    assert.deepEqual(parse(xml), {
      ToUserName: 'toUser', FromUserName: 'FromUser', CreateTime: '1408090186', MsgType: 'event', Event: 'scancode_push',
      EventKey: '6', 'ScanCodeInfo.ScanType': 'qrcode', 'ScanCodeInfo.ScanResult': '1', AgentID: '1',
    });
  });
  test('SendPicsInfo: a repeated item is dropped with its subtree, a single one is kept', () => {
    const pics = (items: string) => '<xml><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[pic_weixin]]></Event>'
      + `<SendPicsInfo><Count>2</Count><PicList>${items}</PicList></SendPicsInfo><AgentID>1</AgentID></xml>`;
    const item = (md5: string) => `<item><PicMd5Sum><![CDATA[${md5}]]></PicMd5Sum></item>`;
    assert.deepEqual(parse(pics(item('aaa') + item('bbb'))), {
      MsgType: 'event', Event: 'pic_weixin', 'SendPicsInfo.Count': '2', AgentID: '1',
    });
    assert.deepEqual(parse(pics(item('aaa'))), {
      MsgType: 'event', Event: 'pic_weixin', 'SendPicsInfo.Count': '2', 'SendPicsInfo.PicList.item.PicMd5Sum': 'aaa', AgentID: '1',
    });
    assert.deepEqual(parse('<xml><M>x</M><N>1</N><M><P>y</P></M><M>z</M></xml>'), { N: '1' });
  });
  test('the envelope yields Encrypt from a string or a Buffer; a missing or empty Encrypt is refused', () => {
    assert.deepEqual(parseEnvelope(SET_A_ENVELOPE), { encrypted: SET_A_ENCRYPT });
    assert.deepEqual(parseEnvelope(Buffer.from(`\ufeff${SET_A_ENVELOPE}`)), { encrypted: SET_A_ENCRYPT });
    for (const body of ['<xml><ToUserName>ww1</ToUserName></xml>', '<xml><Encrypt></Encrypt></xml>', '<xml><Encrypt/></xml>']) {
      assert.throws(() => parseEnvelope(body), { name: 'PayloadError', message: '[-40002] callback XML has no Encrypt element' });
    }
  });
});

describe('text', () => {
  test('the five predefined entities and character references decode; others stay as written', () => {
    assert.equal(leaf('&lt;b&gt; &amp; &quot;q&quot; &apos;s&apos;'), '<b> & "q" \'s\'');
    assert.equal(leaf('&#20320;&#x597D;&#x1F600;&#65;'), '你好😀A');
    assert.equal(leaf('&amp;lt;'), '&lt;');
    assert.equal(leaf('&nbsp;&AMP;'), '&nbsp;&AMP;');
    assert.equal(leaf('&#x110000;&#xD800;&#00000065;'), '&#x110000;&#xD800;&#00000065;');
  });
  test('CDATA is verbatim, including "]]", "<" and "&"; text and CDATA join in document order', () => {
    assert.equal(leaf('<![CDATA[a < b && c ]] d &amp; <x/>]]>'), 'a < b && c ]] d &amp; <x/>');
    assert.equal(leaf('<![CDATA[x]]]]><![CDATA[>y]]>'), 'x]]>y');
    assert.equal(leaf('a<![CDATA[<b>]]>&lt;c<!-- note -->d'), 'a<b><cd');
    assert.equal(leaf('<![CDATA[]]>'), '');
  });
  test('whitespace is kept; CRLF and lone CR read as LF', () => {
    assert.equal(leaf(' x \t'), ' x \t');
    assert.equal(leaf('a\r\nb\rc<![CDATA[\r\n]]>'), 'a\nb\nc\n');
  });
  test('self-closing and empty elements are leaves with text ""; attributes are ignored', () => {
    assert.deepEqual(parse('<xml><A/><B /><C></C><D><E/></D><F id="1" x=\'a>b\'>t</F></xml>'), { A: '', B: '', C: '', 'D.E': '', F: 't' });
  });
  test('a container ignores its own loose text', () => {
    assert.deepEqual(parse('<xml>root text<A>before<B>1</B>after</A></xml>'), { 'A.B': '1' });
  });
  test('BOM, declaration, comments and whitespace around the root are accepted', () => {
    const xml = '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- head -->\n<xml>\n<!-- in --><A>1</A>\n</xml>\n<!-- tail -->\n';
    assert.deepEqual(parse(xml), { A: '1' });
  });
});

describe('rejections', () => {
  test('DOCTYPE and ENTITY are refused first, with their own message', () => {
    const message = '[-40002] DOCTYPE/ENTITY not allowed in a callback body';
    rejects('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><A>&a;</A></xml>', message);
    rejects('<xml><A><!entity x "y"></A></xml>', message);
    assert.throws(() => assertNoDoctype('<!DocType xml>'), { message });
    assert.doesNotThrow(() => assertNoDoctype(SET_B_TEXT));
  });
  test('a root other than one <xml> element', () => {
    rejects('<root><A>1</A></root>', NOT_XML_ROOT);
    rejects('<XML><A>1</A></XML>', NOT_XML_ROOT);
    for (const bad of ['', '   ', 'not xml', '<!-- only a comment -->', '<xml/><xml/>', '<a>1</a><b>2</b>']) rejects(bad);
  });
  test('mismatched, unclosed and unopened tags', () => {
    for (const bad of ['<xml><A>1</B></xml>', '<xml><A>1</A>', '<xml><A>1</xml>', '<xml></A></xml>', '<xml><A>1</A></xml></xml>', '<xml><A>1</a></xml>']) rejects(bad);
  });
  test('every truncation of a real body is refused', () => {
    for (const body of [SET_B_TEXT, SET_A_ENVELOPE]) {
      for (let end = 0; end < body.length; end++) {
        if (body.slice(end).trim() !== '') rejects(body.slice(0, end));
      }
    }
  });
  test('text or markup after the root element', () => {
    for (const bad of ['<xml/>x', '<xml><A>1</A></xml>&amp;', '<xml><A>1</A></xml><B/>', 'x<xml/>', '<xml/><![CDATA[x]]>']) rejects(bad);
  });
  test('a stray "<" or an "&" that is not a complete reference', () => {
    for (const bad of ['a < b', 'a<b', 'AT&T', '&', '&lt', '&#;', '&#x;', '&#X41;', '&#12a;', '&é;', `&${'a'.repeat(21)};`]) {
      rejects(`<xml><A>${bad}</A></xml>`);
    }
  });
  test('invalid names and attributes', () => {
    for (const bad of ['<1A>1</1A>', '< A>1</A>', '<A >1</ A>', '<-A/>', '<A b>1</A>', '<A b=1/>', '<A b="1"c="2"/>', '<A b="1" b="2"/>', '<A b="<"/>', '<A/ >', '<__proto__>1</__proto__>', '<constructor/>']) {
      rejects(`<xml>${bad}</xml>`);
    }
  });
  test('unterminated CDATA and comments; "<!" that starts neither', () => {
    for (const bad of ['<A><![CDATA[x</A>', '<A><!-- x</A>', '<A><!x></A>', '<A><![CDAT[x]]></A>', '<A><!- x --></A>']) rejects(`<xml>${bad}</xml>`);
  });
  test('processing instructions other than a leading declaration', () => {
    rejects('<xml><?pi x?><A>1</A></xml>');
    rejects('<?pi?><xml/>');
    rejects(' <?xml version="1.0"?><xml/>');
    rejects('<?xml version="1.0"?><?xml version="1.0"?><xml/>');
    rejects('<?xml version=1.0?><xml/>');
  });
  test('nesting deeper than 32 elements', () => {
    const nest = (depth: number) => `<xml>${'<a>'.repeat(depth - 1)}x${'</a>'.repeat(depth - 1)}</xml>`;
    assert.deepEqual(parse(nest(32)), { [Array(31).fill('a').join('.')]: 'x' });
    rejects(nest(33));
    rejects(`<xml>${'<a>'.repeat(31)}<b/>${'</a>'.repeat(31)}</xml>`);
  });
});
