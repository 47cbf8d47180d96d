// String, regex, hash and JSON functions with Flink's documented results and edge cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type EvalContext, prepareCall } from '../../src/sql/functions/index.ts';
import { jsonValueReturning } from '../../src/sql/functions/json-path.ts';
import { SqlRuntimeError, type SqlType, SqlTypeError, T } from '../../src/sql/types/index.ts';

const ctx: EvalContext = { timeZone: 'UTC', now: () => 0 };
const S = T.string();
const I = T.int();

function call(name: string, types: SqlType[], args: unknown[]): unknown {
  return prepareCall(name, types).eval(args, ctx);
}
function str(name: string, ...args: unknown[]): unknown {
  const types = args.map((a) => (typeof a === 'number' ? I : a === null ? T.null() : S));
  return call(name, types, args);
}

test('string functions table', () => {
  const cases: Array<[string, unknown[], unknown]> = [
    ['||', ['ab', 'cd'], 'abcd'],
    ['CONCAT', ['AA', 'BB', 'CC'], 'AABBCC'],
    ['CONCAT', ['AA', null, 'CC'], null],
    ['CONCAT_WS', ['~', 'AA', null, 'BB', '', 'CC'], 'AA~BB~~CC'],
    ['CONCAT_WS', [null, 'AA'], null],
    ['CHAR_LENGTH', ['hello'], 5],
    ['CHARACTER_LENGTH', ['h\u{1F600}'], 2],
    ['UPPER', ['hello'], 'HELLO'],
    ['LOWER', ['HeLLo'], 'hello'],
    ['INITCAP', ['hello wORLD foo-bar'], 'Hello World Foo-Bar'],
    ['TRIM', [' hello '], 'hello'],
    ['TRIM', ['BOTH', 'xy', 'xyhixyx'], 'hi'],
    ['TRIM', ['LEADING', 'x', 'xxhixx'], 'hixx'],
    ['TRIM', ['TRAILING', 'x', 'xxhixx'], 'xxhi'],
    ['LTRIM', ['  hi  '], 'hi  '],
    ['RTRIM', ['  hi  '], '  hi'],
    ['LTRIM', ['xxhi', 'x'], 'hi'],
    ['POSITION', ['b', 'abc'], 2],
    ['POSITION', ['z', 'abc'], 0],
    ['POSITION', ['', 'abc'], 1],
    ['INSTR', ['abcb', 'b'], 2],
    ['LOCATE', ['b', 'abcb'], 2],
    ['LOCATE', ['b', 'abcb', 3], 4],
    ['LOCATE', ['b', 'abcb', 5], 0],
    ['SUBSTRING', ['hello world', 1, 5], 'hello'],
    ['SUBSTRING', ['hello', 2], 'ello'],
    ['SUBSTRING', ['hello', 0, 2], 'he'],
    ['SUBSTRING', ['hello', -3], 'llo'],
    ['SUBSTRING', ['hello', -3, 2], 'll'],
    ['SUBSTRING', ['hello', 10], ''],
    ['SUBSTRING', ['hello', 2, 100], 'ello'],
    ['SUBSTRING', ['hello', 1, -1], null],
    ['SUBSTR', ['hello', 2, 2], 'el'],
    ['LEFT', ['hello', 2], 'he'],
    ['RIGHT', ['hello', 2], 'lo'],
    ['REPLACE', ['hello world', 'world', 'flink'], 'hello flink'],
    ['REPLACE', ['aaa', 'a', 'bb'], 'bbbbbb'],
    ['OVERLAY', ['This is an old string', ' new', 10, 5], 'This is a new string'],
    ['OVERLAY', ['abcdef', 'XY', 3], 'abXYef'],
    ['OVERLAY', ['abc', 'X', 5], 'abc'],
    ['OVERLAY', ['abcdef', 'XY', 5, 3], 'abcdXY'],
    ['LPAD', ['hi', 4, '??'], '??hi'],
    ['LPAD', ['hi', 1, '??'], 'h'],
    ['LPAD', ['hi', 5, 'ab'], 'abahi'],
    ['LPAD', ['hi', -1, '?'], null],
    ['LPAD', ['hi', 1, ''], null],
    ['LPAD', ['hi', 0, '?'], ''],
    ['RPAD', ['hi', 4, '??'], 'hi??'],
    ['RPAD', ['hi', 1, '??'], 'h'],
    ['REPEAT', ['ab', 3], 'ababab'],
    ['REPEAT', ['ab', -1], ''],
    ['REVERSE', ['abc'], 'cba'],
    ['SPLIT_INDEX', ['Jack,John,Mary', ',', 2], 'Mary'],
    ['SPLIT_INDEX', ['Jack,John,Mary', ',', 0], 'Jack'],
    ['SPLIT_INDEX', ['Jack,John,Mary', ',', 3], null],
    ['SPLIT_INDEX', ['Jack,John,Mary', ',', -1], null],
    ['SPLIT_INDEX', ['a,,b', ',', 1], ''],
    ['SPLIT_INDEX', ['a::b::c', '::', 1], 'b'],
    ['SPLIT_INDEX', [null, ',', 1], null],
    ['SPLIT_INDEX', ['a;b', 59, 1], 'b'],
    ['ASCII', ['abc'], 97],
    ['ASCII', [''], 0],
    ['CHR', [97], 'a'],
    ['CHR', [353], 'a'],
    ['CHR', [-1], ''],
    ['TO_BASE64', ['hello world'], 'aGVsbG8gd29ybGQ='],
    ['FROM_BASE64', ['aGVsbG8gd29ybGQ='], 'hello world'],
    ['HEX', [100], '64'],
    ['HEX', ['hello,world'], '68656C6C6F2C776F726C64'],
    ['BIN', [12], '1100'],
    ['MD5', [''], 'd41d8cd98f00b204e9800998ecf8427e'],
    ['SHA1', ['abc'], 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['SHA256', ['abc'], 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['SHA2', ['abc', 256], 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['SHA2', ['abc', 100], null],
    ['PARSE_URL', ['http://facebook.com/path1/p.php?k1=v1&k2=v2#Ref1', 'HOST'], 'facebook.com'],
    ['PARSE_URL', ['http://facebook.com/path1/p.php?k1=v1&k2=v2#Ref1', 'QUERY', 'k1'], 'v1'],
    ['PARSE_URL', ['http://facebook.com/path1/p.php?k1=v1&k2=v2#Ref1', 'PATH'], '/path1/p.php'],
  ];
  for (const [name, args, want] of cases)
    assert.deepEqual(str(name, ...args), want, `${name}(${args.map(String).join(', ')})`);
  assert.deepEqual(
    str('STR_TO_MAP', 'a=1,b=2'),
    new Map([
      ['a', '1'],
      ['b', '2'],
    ]),
  );
  assert.deepEqual(
    str('STR_TO_MAP', 'a:1;b:2', ';', ':'),
    new Map([
      ['a', '1'],
      ['b', '2'],
    ]),
  );
  assert.match(str('UUID') as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(
    call('||', [T.bytes(), T.bytes()], [new Uint8Array([1]), new Uint8Array([2])]),
    new Uint8Array([1, 2]),
  );
});

test('string result types', () => {
  const t = (name: string, types: SqlType[]) => prepareCall(name, types).type;
  assert.deepEqual(t('||', [T.varchar(3, false), T.varchar(4, false)]), T.varchar(7, false));
  assert.deepEqual(t('UPPER', [T.varchar(3, false)]), T.varchar(3, false));
  assert.deepEqual(t('CHAR_LENGTH', [S]), T.int());
  assert.deepEqual(
    t('SPLIT_INDEX', [T.string(false), T.string(false), T.int(false)]),
    T.string(),
    'nullable: index may be out of range',
  );
  assert.throws(() => prepareCall('UPPER', [I]), SqlTypeError);
  assert.throws(() => prepareCall('LPAD', [S, S, S]), /Supported form\(s\): LPAD\(<STRING>, <INTEGER>, <STRING>\)/);
});

test('regular expressions', () => {
  const nexmark = 'https://www.nexmark.com/abc/def/item.htm?query=1&channel_id=123';
  assert.equal(str('REGEXP_EXTRACT', nexmark, '(&|^)channel_id=([^&]*)', 2), '123');
  assert.equal(str('REGEXP_EXTRACT', 'foothebar', 'foo(.*?)(bar)', 2), 'bar');
  assert.equal(str('REGEXP_EXTRACT', 'foothebar', 'foo(.*?)(bar)'), 'foothebar');
  assert.equal(str('REGEXP_EXTRACT', 'foothebar', 'foo(.*?)(bar)', 3), null);
  assert.equal(str('REGEXP_EXTRACT', 'abc', 'x(y)', 1), null);
  assert.equal(str('REGEXP_EXTRACT', 'abc', '(', 1), null, 'invalid pattern');
  assert.equal(str('REGEXP_REPLACE', 'foobar', 'oo|ar', ''), 'fb');
  // Flink quotes the replacement: no group references
  assert.equal(str('REGEXP_REPLACE', 'a1b22', '(\\d+)', '<$1>'), 'a<$1>b<$1>');
  assert.equal(str('REGEXP_REPLACE', 'a.b', '\\.', '\\'), 'a\\b');
  assert.equal(str('REGEXP_REPLACE', 'abc', '(', 'x'), null, 'invalid pattern');
  assert.equal(str('REGEXP', 'abc123', '\\d+'), true);
  assert.equal(str('REGEXP', 'abc', '^b'), false);
  assert.equal(str('REGEXP', 'ABC', '(?i)abc'), true);
  assert.equal(str('REGEXP', 'ab', '\\p{Alpha}+'), true);
  assert.equal(str('REGEXP', 'xab', '\\Aab'), false);
  assert.equal(str('REGEXP', 'abc', ''), false);
  assert.equal(str('REGEXP', 'abc', '('), false);
  assert.equal(str('REGEXP_COUNT', 'ababab', 'ab'), 3);
});

test('LIKE and SIMILAR TO', () => {
  const like = (s: string, p: string, esc?: string) => (esc === undefined ? str('LIKE', s, p) : str('LIKE', s, p, esc));
  assert.equal(like('hello', 'h%o'), true);
  assert.equal(like('hello', 'h_llo'), true);
  assert.equal(like('hello', 'h_lo'), false);
  assert.equal(like('a.c', 'a.c'), true);
  assert.equal(like('abc', 'a.c'), false);
  assert.equal(like('10%', '10!%', '!'), true);
  assert.equal(like('100', '10!%', '!'), false);
  assert.equal(like('a_b', 'a\\_b', '\\'), true);
  assert.equal(like('multi\nline', 'multi%'), true);
  assert.throws(() => like('a', 'a!x', '!'), SqlRuntimeError);
  assert.equal(str('NOT LIKE', 'hello', 'h%'), false);
  assert.equal(str('LIKE', null, 'h%'), null);
  assert.equal(str('SIMILAR TO', 'abc', '(a|b)%'), true);
  assert.equal(str('SIMILAR TO', 'xbc', '(a|b)%'), false);
  assert.equal(str('SIMILAR TO', 'aaa', 'a+'), true);
  assert.equal(str('SIMILAR TO', 'a.c', 'a.c'), true);
  assert.equal(str('SIMILAR TO', 'abc', 'a.c'), false);
  assert.equal(str('NOT SIMILAR TO', 'abc', '[a-c]*'), false);
});

test('JSON functions', () => {
  const doc = '{"a":{"b":[1,2.50,{"c":"x"}]},"n":null,"t":true,"k y":5}';
  const cases: Array<[string, unknown[], unknown]> = [
    ['JSON_VALUE', [doc, '$.a.b[0]'], '1'],
    ['JSON_VALUE', [doc, '$.a.b[1]'], '2.5'],
    ['JSON_VALUE', ['{"x":1e2,"y":12345678901234567890}', '$.x'], '100.0'],
    ['JSON_VALUE', ['{"x":1e2,"y":12345678901234567890}', '$.y'], '12345678901234567890'],
    ['JSON_VALUE', [doc, '$.a.b[2].c'], 'x'],
    ['JSON_VALUE', [doc, "$['k y']"], '5'],
    ['JSON_VALUE', [doc, '$.t'], 'true'],
    ['JSON_VALUE', [doc, '$.n'], null],
    ['JSON_VALUE', [doc, '$.missing'], null],
    ['JSON_VALUE', [doc, '$.a'], null],
    ['JSON_VALUE', ['not json', '$.a'], null],
    ['JSON_VALUE', [doc, '$.missing', 'DEFAULT', 'dflt'], 'dflt'],
    ['JSON_VALUE', [doc, '$.a', 'NULL', null, 'DEFAULT', 'err'], 'err'],
    ['JSON_QUERY', [doc, '$.a'], '{"b":[1,2.5,{"c":"x"}]}'],
    ['JSON_QUERY', [doc, '$.a.b'], '[1,2.5,{"c":"x"}]'],
    ['JSON_QUERY', [doc, '$.a.b[0]'], null],
    ['JSON_QUERY', [doc, '$.a.b[0]', 'CONDITIONAL'], '[1]'],
    ['JSON_QUERY', [doc, '$.a.b[*]', 'UNCONDITIONAL'], '[1,2.5,{"c":"x"}]'],
    ['JSON_QUERY', [doc, '$.zzz', 'WITHOUT', 'EMPTY ARRAY'], '[]'],
    ['JSON_EXISTS', [doc, '$.a.b'], true],
    ['JSON_EXISTS', [doc, '$.a.x'], false],
    ['JSON_EXISTS', [doc, 'strict $.a.x'], false],
    ['IS JSON', ['{"a":1}'], true],
    ['IS JSON', ['{"a":'], false],
    ['IS JSON OBJECT', ['[1]'], false],
    ['IS JSON ARRAY', ['[1]'], true],
    ['IS JSON SCALAR', ['1'], true],
    ['IS NOT JSON', ['x'], true],
    ['JSON_QUOTE', ['a"b'], '"a\\"b"'],
    ['JSON_UNQUOTE', ['"a\\"b"'], 'a"b'],
  ];
  for (const [name, args, want] of cases)
    assert.deepEqual(str(name, ...args), want, `${name}(${args.map(String).join(', ')})`);
  assert.throws(() => str('JSON_VALUE', doc, '$.missing', 'ERROR'), SqlRuntimeError);
  assert.throws(() => str('JSON_VALUE', doc, '$.a', 'NULL', null, 'ERROR'), /JSON_VALUE/);
  const asInt = jsonValueReturning(T.int());
  assert.deepEqual(asInt.infer([S, S]), T.int());
  assert.equal(asInt.eval([doc, '$.a.b[0]'], ctx), 1);
  assert.equal(asInt.eval([doc, '$.a.b[2].c'], ctx), null);
  assert.equal(call('JSON_STRING', [T.row({ a: T.int(), b: T.array(T.string()) })], [[1, ['x']]]), '{"a":1,"b":["x"]}');
  assert.equal(call('JSON_STRING', [T.bigint()], [5n]), '5');
  assert.equal(call('JSON_STRING', [I], [null]), null);
});
