import fc from "fast-check";

/** Strings that break naive parsers, validators, databases and logs. */
const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\uD800",
  "\uDFFF",
  "x\uDBFFy",
  "\uFEFF",
  "\u202Eevil",
  "💥🏳️‍🌈",
  "Ω≈ç√∫",
  "..",
  "../../etc/passwd",
  "%00",
  "%",
  "__proto__",
  "constructor",
  "prototype",
  "hasOwnProperty",
  "toString",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "-1",
  "1e309",
  "0x1F",
  "true",
  "<script>alert(1)</script>",
  "' OR '1'='1' --",
  "\"; DROP TABLE flags; --",
  "$(reboot)",
  "{{7*7}}",
  "\r\nSet-Cookie: x=1",
  "a".repeat(129),
  "now-9999999d",
  "2024-02-30T25:61:61Z",
  "9999-12-31T23:59:59.999Z",
  "0001-01-01T00:00:00Z",
  "1.0.0-01",
  "(a+)+$",
  // Reversed surrogate halves, C1 controls, bidi and zero-width marks.
  "\uDC00\uD800",
  "a\uDFFF\uD800b",
  "\u0085\u009B\u009F",
  "\u001B[31m\u0007",
  "\u200F\u200E\u202B\u2066",
  "\u200B\u2060\uFEFF",
  "\uFFFE\uFFFF",
];

/** Every documented length bound (keys, names, searches, descriptions, values), at and one past it. */
const DOCUMENTED_LENGTHS = [63, 64, 65, 100, 101, 128, 129, 200, 201, 255, 256, 257, 500, 501, 1_000, 1_001, 1_024, 1_025, 2_000, 2_001, 4_096, 4_097];

const atLengthBounds = fc
  .tuple(fc.constantFrom(...DOCUMENTED_LENGTHS), fc.constantFrom("a", "é", "💥", "\u0000", "\uD800"))
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

/** Any code unit at all, surrogate halves and controls included. */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.oneof(loneSurrogate, fc.constantFrom("\u0000", "a", "\u00e9", "\u{1F600}")), maxLength: 12 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("x", "é", "💥", "\u0000"), fc.integer({ min: 257, max: 70_000 })).map(([c, n]) => c.repeat(n)) },
  { weight: 2, arbitrary: atLengthBounds },
  { weight: 2, arbitrary: fc.string({ unit: anyCodeUnit, minLength: 1, maxLength: 16 }) },
);

/**
 * Raw bytes that are not valid UTF-8, placed inside a JSON string of a body: overlong encodings
 * (`C0 AF` is an overlong `/`), encoded surrogate halves, bytes past U+10FFFF, truncated sequences.
 */
export const INVALID_UTF8_SEQUENCES: readonly Buffer[] = [
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xe0, 0x80, 0xaf]),
  Buffer.from([0xf0, 0x80, 0x80, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xed, 0xbf, 0xbf]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0x00]),
];

/** Numbers out of every range a field could have: huge, negative, fractional, unsafe integers. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-0, -1, 0.5, 1e308, -1e308, 2 ** 53 + 2, -(2 ** 63), 2 ** 31, 1e-320, 100_001, 10_001, 1_000_000_000_000),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Regular expressions that backtracking engines take exponential or polynomial time over. */
export const REGEX_BOMBS = [
  "(a+)+$",
  "(a|aa)+$",
  "(.*a){20}",
  "(a|a)*b",
  "(a|a)*$",
  "^(\\w+\\s?)*$",
  "a*a*a*a*a*a*a*a*!",
  ".*.*.*.*.*.*=",
  "(x+x+)+y",
  "^(a?){25}a{25}$",
  "(?:a|ab|b)*c",
  "([a-zA-Z]+)*@",
  "(\\d|\\d\\d)*x",
  "((a)|(a))*c",
  "(?=(a+))a*b\\1",
  "(a)\\1",
  "(?:(?:.{0,1000}){0,1000})",
  "[",
  "\\",
];

/** JSON text, so that keys such as `__proto__` reach the server as written. */
export type JsonText = string;

const hostileKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "valueOf", "", "\u0000", "\uD800", "a.b", "$where", "x".repeat(300)),
  fc.string({ maxLength: 8 }),
);

function objectText(entries: [string, JsonText][]): JsonText {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(",")}}`;
}

/** Any hostile JSON value, as text: wrong types, hostile strings and keys, big arrays, nesting. */
export const hostileJson: fc.Arbitrary<JsonText> = fc.letrec<{ value: JsonText }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileString.map((s) => JSON.stringify(s)),
    hostileNumber.map((n) => JSON.stringify(n)),
    fc.constantFrom("true", "false", "null", "{}", "[]", "[[]]", '{"":{}}'),
    fc.array(tie("value"), { maxLength: 4 }).map((items) => `[${items.join(",")}]`),
    fc.array(fc.tuple(hostileKey, tie("value")), { maxLength: 4 }).map(objectText),
    fc.tuple(fc.integer({ min: 1_001, max: 12_000 }), fc.constantFrom('"k"', "1", "{}", "null")).map(([n, item]) => `[${Array(n).fill(item).join(",")}]`),
    fc.integer({ min: 20, max: 64 }).map((depth) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`),
  ),
})).value;

/** Text nested far past the API's depth limit. */
export const deepText: fc.Arbitrary<JsonText> = fc
  .tuple(fc.integer({ min: 65, max: 200_000 }), fc.constantFrom("[", '{"a":'))
  .map(([depth, open]) => `${open.repeat(depth)}1${(open === "[" ? "]" : "}").repeat(depth)}`);

export const INVALID_JSON: JsonText[] = [
  "{",
  '{"a":',
  "{'a':1}",
  '{"a":1,}',
  "undefined",
  "NaN",
  "\u0000",
  '{"a":1}{"b":2}',
  "[1,2",
  '"unterminated',
  '{"a":01}',
  '{"a":"\\x41"}',
  '{"a":"\\ud800"}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  '{"a":1,"__proto__":[]}',
  "",
  " ",
  "1e99999",
];

export const BAD_CONTENT_TYPES = [
  "text/plain",
  "application/xml",
  "multipart/form-data; boundary=x",
  "application/x-www-form-urlencoded",
  "application/jsonx",
  "application/json-patch+json",
  "image/png",
  "application/octet-stream",
];

/** A query string value, percent-encoded even where `encodeURIComponent` refuses (lone surrogates). */
export function encodeLoose(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...value].map((c) => (/[\uD800-\uDFFF]/.test(c) ? "%ED%A0%80" : encodeURIComponent(c))).join("");
  }
}

/** Raw path segments: too long, traversal, bad or dangerous percent-encoding, unicode. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "..",
    "%2e%2e",
    "%2E%2E%2F%2E%2E",
    "%00",
    "a%00b",
    "%2F",
    "%ZZ",
    "%",
    "%ED%A0%80",
    "%C0%AF",
    "%F0%9F%92%A5",
    "%C3%BC%C3%B1%C3%AF",
    "__proto__",
    "constructor",
    "prototype",
    "%20",
    "-",
    "_",
    "A",
    "a;b",
    "*",
    "null",
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
    "%E2%80%AE",
    "%EF%BB%BF",
  ),
  fc.integer({ min: 65, max: 6_000 }).map((n) => "k".repeat(n)),
  fc.string({ unit: "binary", minLength: 1, maxLength: 20 }).map(encodeLoose),
);

/** Printable header values (what an HTTP parser lets through), hostile in content. */
export const hostileHeaderValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("\u0085", "\u00A0\u00FF", "a\u0080b", "", "*", "W/", '"-1"', '"99999999999"', '"1", "2"', "null", "undefined", '"abc"', "W/\"0\"", '"1.5"', "0x10", "1e3", " 3 ", "\t", "é", "ÿÿÿ", "x".repeat(8_000)),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
);
