import { describe, expect, it } from 'vitest';
import { parseToml, TomlError } from '../src/config/toml.js';
import { ConfigError } from '../src/errors/client-errors.js';

const parse = (text: string) => parseToml(text, { source: 'switchyard.toml' });

describe('parseToml: valid documents', () => {
  it('parses keys: bare, quoted, literal, dotted, with whitespace around dots', () => {
    expect(
      parse(`
bare_key = 1
bare-key = 2
1234 = 3
"127.0.0.1" = 4
"ʎǝʞ" = 5
'key2' = 6
'quoted "value"' = 7
"" = 8
physical.color = "orange"
site . "google.com" = true
3.14159 = "pi"
`),
    ).toEqual({
      bare_key: 1,
      'bare-key': 2,
      '1234': 3,
      '127.0.0.1': 4,
      ʎǝʞ: 5,
      key2: 6,
      'quoted "value"': 7,
      '': 8,
      physical: { color: 'orange' },
      site: { 'google.com': true },
      '3': { '14159': 'pi' },
    });
  });

  it('parses comments everywhere they are allowed, and CRLF line endings', () => {
    expect(parse('# top\r\na = 1 # trailing\r\n\r\n[t] # header comment\r\nb = "#not a comment"\r\n')).toEqual({
      a: 1,
      t: { b: '#not a comment' },
    });
  });

  it('parses basic strings with every escape, including \\u and \\U', () => {
    const doc = parse(String.raw`s = "tab\there \"q\" back\\slash \b\f\n\r é=\u00E9 😀=\U0001F600"`);
    expect(doc.s).toBe('tab\there "q" back\\slash \b\f\n\r é=é 😀=😀');
  });

  it('parses literal strings verbatim', () => {
    expect(parse(String.raw`p = 'C:\Users\nodejs\templates'`).p).toBe('C:\\Users\\nodejs\\templates');
    expect(parse(`r = '<\\i\\c*\\s*>'`).r).toBe('<\\i\\c*\\s*>');
  });

  it('parses multi-line basic strings: leading newline trimmed, line-ending backslash, quotes near the end', () => {
    const doc = parse(
      [
        's1 = """',
        'Roses are red',
        'Violets are blue"""',
        's2 = """\\',
        '   The quick brown \\',
        '',
        '',
        '   fox jumps over \\   ',
        '     the lazy dog."""',
        's3 = """Here are two quotation marks: "". Simple enough."""',
        's4 = """Here are fifteen quotation marks: ""\\"""\\"""\\"""\\"""\\"."""',
        's5 = """"This," she said, "is just a pointless statement.""""',
        's6 = """a\\tb"""',
      ].join('\n'),
    );
    expect(doc.s1).toBe('Roses are red\nViolets are blue');
    expect(doc.s2).toBe('The quick brown fox jumps over the lazy dog.');
    expect(doc.s3).toBe('Here are two quotation marks: "". Simple enough.');
    expect(doc.s4).toBe('Here are fifteen quotation marks: """"""""""""""".');
    expect(doc.s5).toBe('"This," she said, "is just a pointless statement."');
    expect(doc.s6).toBe('a\tb');
  });

  it('parses multi-line literal strings, keeping backslashes and allowing 1–2 quotes before the end', () => {
    const doc = parse(
      [
        "regex = '''I [dw]on't need \\d{2} apples'''",
        "lines = '''",
        'first \\n',
        "  second'''",
        "q = ''''That,' she said.''''",
      ].join('\n'),
    );
    expect(doc.regex).toBe("I [dw]on't need \\d{2} apples");
    expect(doc.lines).toBe('first \\n\n  second');
    expect(doc.q).toBe("'That,' she said.'");
  });

  it('parses integers in every base with underscores and signs', () => {
    expect(
      parse(
        'a = +99\nb = 42\nc = 0\nd = -17\ne = 1_000\nf = 5_349_221\ng = 0xDEADBEEF\nh = 0xdead_beef\ni = 0o755\nj = 0b11010110\nk = -0\nl = 9007199254740991',
      ),
    ).toEqual({
      a: 99,
      b: 42,
      c: 0,
      d: -17,
      e: 1000,
      f: 5349221,
      g: 0xdeadbeef,
      h: 0xdeadbeef,
      i: 0o755,
      j: 0b11010110,
      k: 0,
      l: 9007199254740991,
    });
  });

  it('parses floats: fractions, exponents, underscores, inf and nan', () => {
    const doc = parse(
      'a = +1.0\nb = 3.25\nc = -0.01\nd = 5e+22\ne = 1e06\nf = -2E-2\ng = 6.626e-34\nh = 224_617.445_991_228\ni = inf\nj = +inf\nk = -inf\nl = nan\nm = -nan\nn = 0.0\no = 0e0',
    );
    expect(doc).toMatchObject({
      a: 1,
      b: 3.25,
      c: -0.01,
      d: 5e22,
      e: 1e6,
      f: -0.02,
      g: 6.626e-34,
      h: 224617.445991228,
    });
    expect(doc.i).toBe(Infinity);
    expect(doc.j).toBe(Infinity);
    expect(doc.k).toBe(-Infinity);
    expect(doc.l).toBeNaN();
    expect(doc.m).toBeNaN();
    expect(doc.n).toBe(0);
    expect(doc.o).toBe(0);
  });

  it('parses booleans and date-times as ISO strings', () => {
    expect(
      parse(
        'yes = true\nno = false\nodt1 = 1979-05-27T07:32:00Z\nodt2 = 1979-05-27T00:32:00-07:00\nodt3 = 1979-05-27T00:32:00.999999+07:00\nodt4 = 1979-05-27 07:32:00z\nldt = 1979-05-27T07:32:00\nld = 1979-05-27\nlt = 00:32:00.999999\nleap = 2024-02-29\n',
      ),
    ).toEqual({
      yes: true,
      no: false,
      odt1: '1979-05-27T07:32:00Z',
      odt2: '1979-05-27T00:32:00-07:00',
      odt3: '1979-05-27T00:32:00.999999+07:00',
      odt4: '1979-05-27T07:32:00Z',
      ldt: '1979-05-27T07:32:00',
      ld: '1979-05-27',
      lt: '00:32:00.999999',
      leap: '2024-02-29',
    });
  });

  it('parses arrays: mixed, nested, multi-line with comments, trailing commas', () => {
    const doc = parse(`
integers = [ 1, 2, 3 ]
colors = [ "red", "yellow", "green" ]
nested = [ [ 1, 2 ], ["a", 'b', """c"""] ]
mixed = [ 0.1, 0.2, 0.5, 1, 2, 5, "x", { k = 1 } ]
multi = [
  1, # one
  2, # two
]
empty = [ ]
blank = [
]
`);
    expect(doc).toEqual({
      integers: [1, 2, 3],
      colors: ['red', 'yellow', 'green'],
      nested: [
        [1, 2],
        ['a', 'b', 'c'],
      ],
      mixed: [0.1, 0.2, 0.5, 1, 2, 5, 'x', { k: 1 }],
      multi: [1, 2],
      empty: [],
      blank: [],
    });
  });

  it('parses inline tables, with dotted keys inside', () => {
    expect(
      parse(
        'name = { first = "Tom", last = "Preston-Werner" }\npoint = {x=1,y=2}\nanimal = { type.name = "pug" }\ne = {}',
      ),
    ).toEqual({
      name: { first: 'Tom', last: 'Preston-Werner' },
      point: { x: 1, y: 2 },
      animal: { type: { name: 'pug' } },
      e: {},
    });
  });

  it('parses tables, implicit super-tables and later definition of them', () => {
    expect(
      parse(`
[table-1]
key1 = "some string"
[dog."tater.man"]
type.name = "pug"
[ j . "ʞ" . 'l' ]
[x.y.z.w]
[x]
v = 1
`),
    ).toEqual({
      'table-1': { key1: 'some string' },
      dog: { 'tater.man': { type: { name: 'pug' } } },
      j: { ʞ: { l: {} } },
      x: { y: { z: { w: {} } }, v: 1 },
    });
  });

  it('allows sub-table headers under tables made by dotted keys', () => {
    expect(
      parse('[fruit]\napple.color = "red"\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true'),
    ).toEqual({
      fruit: { apple: { color: 'red', taste: { sweet: true }, texture: { smooth: true } } },
    });
  });

  it('parses arrays of tables, with sub-tables and nested arrays attaching to the last element', () => {
    expect(
      parse(`
[[products]]
name = "Hammer"
sku = 738594937
[[products]]  # empty table within the array
[[products]]
name = "Nail"
color = "gray"

[[fruits]]
name = "apple"
[fruits.physical]
color = "red"
[[fruits.varieties]]
name = "red delicious"
[[fruits.varieties]]
name = "granny smith"
[[fruits]]
name = "banana"
[[fruits.varieties]]
name = "plantain"
`),
    ).toEqual({
      products: [{ name: 'Hammer', sku: 738594937 }, {}, { name: 'Nail', color: 'gray' }],
      fruits: [
        {
          name: 'apple',
          physical: { color: 'red' },
          varieties: [{ name: 'red delicious' }, { name: 'granny smith' }],
        },
        { name: 'banana', varieties: [{ name: 'plantain' }] },
      ],
    });
  });

  it('starts a fresh sub-table for each array-of-tables element', () => {
    expect(parse('[[a]]\n[a.b]\nx = 1\n[[a]]\n[a.b]\nx = 2')).toEqual({ a: [{ b: { x: 1 } }, { b: { x: 2 } }] });
  });

  it('accepts empty strings, tabs and escaped control characters', () => {
    expect(parse(`a = ""\nb = """\n"""\nc = "x\ty"\n` + String.raw`d = "\u0000"` + "\ne = ''")).toEqual({
      a: '',
      b: '',
      c: 'x\ty',
      d: '\u0000',
      e: '',
    });
  });

  it('keeps __proto__ as a plain key and skips a byte-order mark', () => {
    const doc = parse('\uFEFF__proto__ = 1\n[constructor]\nx = 1');
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.keys(doc)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(doc, '__proto__')?.value).toBe(1);
  });

  it('parses a realistic switchyard.toml', () => {
    const doc = parse(`
# switchyard configuration
[openrouter]
api_key = "\${OPENROUTER_API_KEY}"
default_model = "openai/gpt-4o-mini"
fallback_models = ["anthropic/claude-3.5-haiku", "meta-llama/llama-3.3-70b-instruct:free"]
timeout = 60

[retry]
attempts = 3
backoff_base = 1.0
jitter = 0.25

[models.kimi25]
provider = "openrouter"
model = "moonshotai/kimi-k2.5"
routing = ["anthropic"]

[providers.local]
type = "openai-compatible"
base_url = "http://localhost:11434/v1"
prices."llama3.1:8b" = { prompt = 0, completion = 0 }
`);
    expect(doc).toMatchObject({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: literal TOML text, interpolated later by loadConfig
      openrouter: { api_key: '${OPENROUTER_API_KEY}', timeout: 60 },
      retry: { attempts: 3, backoff_base: 1, jitter: 0.25 },
      models: { kimi25: { routing: ['anthropic'] } },
      providers: { local: { prices: { 'llama3.1:8b': { prompt: 0, completion: 0 } } } },
    });
  });
});

describe('parseToml: invalid documents report line and column', () => {
  const cases: [string, string, string][] = [
    ['missing =', 'a = 1\n\n  name "x"', "switchyard.toml:3:8: expected '=' after key"],
    ['missing value', 'a =\n', 'switchyard.toml:1:4: expected a value'],
    ['duplicate key', 'a = 1\nb = 2\na = 3', 'switchyard.toml:3:1: duplicate key "a"'],
    ['duplicate dotted key', 'a.b = 1\na.b = 2', 'switchyard.toml:2:1: duplicate key "a.b"'],
    ['dotted key over a value', 'a = 1\na.b = 2', 'switchyard.toml:2:1: cannot add keys to "a"'],
    ['table defined twice', '[fruit]\na = 1\n\n[fruit]\nb = 2', 'switchyard.toml:4:1: cannot define [fruit]'],
    ['table over a key', '[fruit]\napple = "red"\n[fruit.apple]', 'switchyard.toml:3:1: cannot define [fruit.apple]'],
    [
      'header over dotted table',
      '[fruit]\napple.color = "red"\n[fruit.apple]',
      'switchyard.toml:3:1: cannot define [fruit.apple]',
    ],
    [
      'dotted keys into header table',
      '[a.b.c]\nz = 9\n[a]\nb.c.t = 1',
      'switchyard.toml:4:1: cannot add keys to "a.b"',
    ],
    ['extend inline table by header', 'a = { b = 1 }\n[a.c]', 'switchyard.toml:2:1: cannot add tables to "a"'],
    ['extend inline table by dotted key', 'a = { b = 1 }\na.c = 2', 'switchyard.toml:2:1: cannot add keys to "a"'],
    ['append to static array', 'a = [1]\n[[a]]', 'switchyard.toml:2:1: cannot define [[a]]'],
    ['table after array of tables', '[[a]]\n[a]', 'switchyard.toml:2:1: cannot define [a]'],
    ['unterminated string', 'a = "abc\nb = 1', 'switchyard.toml:1:5: unterminated string'],
    ['unterminated multi-line', 'a = """abc\n\n', 'switchyard.toml:1:5: unterminated multi-line string'],
    ['bad escape', 'a = "\\x41"', 'switchyard.toml:1:6: invalid escape sequence \\x'],
    ['short \\u', 'a = "\\u12"', 'switchyard.toml:1:6: \\u needs 4 hex digits'],
    ['surrogate \\u', 'a = "\\uD800"', 'switchyard.toml:1:6: \\uD800 is not a Unicode scalar value'],
    ['control char in string', 'a = "x\u0001"', 'switchyard.toml:1:7: control character U+0001 in string'],
    ['leading zero', 'a = 012', 'switchyard.toml:1:5: invalid number 012'],
    ['double underscore', 'a = 1__2', 'switchyard.toml:1:5: invalid number 1__2'],
    ['trailing underscore', 'a = 1_', 'switchyard.toml:1:5: invalid number 1_'],
    ['bare decimal point', 'a = 1.', 'switchyard.toml:1:5: invalid number 1.'],
    ['leading decimal point', 'a = .5', 'switchyard.toml:1:5: invalid number .5'],
    ['signed hex', 'a = +0x10', 'switchyard.toml:1:5: invalid number +0x10'],
    ['too large', 'a = 9223372036854775807', 'switchyard.toml:1:5: integer 9223372036854775807 is too large'],
    ['bad date', 'a = 2023-02-29', 'switchyard.toml:1:5: invalid date 2023-02-29'],
    ['bad time', 'a = 24:00:00', 'switchyard.toml:1:5: invalid time 24:00:00'],
    ['two values', 'a = 1 2', "switchyard.toml:1:7: expected end of line after value, found '2'"],
    ['bare word', 'a = yes', 'switchyard.toml:1:5: expected a value, found yes'],
    ['array without comma', 'a = [1 2]', "switchyard.toml:1:8: expected ',' or ']' in array"],
    ['empty array item', 'a = [1,,2]', 'switchyard.toml:1:8: expected a value'],
    ['unterminated array', 'a = [1,\n2', 'switchyard.toml:1:5: unterminated array'],
    ['inline trailing comma', 'a = { b = 1, }', 'switchyard.toml:1:14: trailing comma is not allowed'],
    ['inline newline', 'a = { b = 1,\n c = 2 }', 'switchyard.toml:1:13: expected a key'],
    ['inline duplicate', 'a = { b = 1, b = 2 }', 'switchyard.toml:1:14: duplicate key "b"'],
    ['unclosed header', '[a\nb = 1', "switchyard.toml:1:3: expected ']' after table name"],
    ['empty header', '[]', 'switchyard.toml:1:2: expected a key'],
    ['multi-line key', '"""k""" = 1', 'switchyard.toml:1:1: multi-line strings cannot be keys'],
    ['lone CR', 'a = 1\rb = 2', 'switchyard.toml:1:6: expected end of line after value'],
    [
      'header over a value',
      '[a]\nb = 1\n[a.b]',
      'switchyard.toml:3:1: cannot define [a.b]: "a.b" is already defined as a value',
    ],
    ['key redefining a dotted table', 'a.b = 1\na = 2', 'switchyard.toml:2:1: duplicate key "a"'],
    ['sub-table defined twice in one array element', '[[a]]\n[a.b]\n[a.b]', 'switchyard.toml:3:1: cannot define [a.b]'],
    ['uppercase hex prefix', 'a = 0X1F', 'switchyard.toml:1:5: invalid number 0X1F'],
    ['dangling exponent', 'a = 1e', 'switchyard.toml:1:5: invalid number 1e'],
    ['infinity spelled out', 'a = infinity', 'switchyard.toml:1:5: expected a value, found infinity'],
    ['DEL in literal string', "a = 'x\u007f'", 'switchyard.toml:1:7: control character U+007f in string'],
    ['six closing quotes', 'a = """x""""""', 'switchyard.toml:1:14: too many quotes'],
    ['key without value on last line', 'a', "switchyard.toml:1:2: expected '=' after key, found end of file"],
  ];
  it.each(cases)('%s', (_name, text, message) => {
    let error: unknown;
    try {
      parse(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TomlError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as TomlError).message.startsWith(message), (error as Error).message).toBe(true);
    expect((error as TomlError).code).toBe('invalid_config');
  });

  it('exposes line and column as numbers, counting columns in code points', () => {
    try {
      parse('a = "😀😀" b');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ line: 1, column: 10, reason: expect.stringContaining('expected end of line') });
    }
  });
});
