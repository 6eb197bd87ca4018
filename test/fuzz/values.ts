import fc from 'fast-check';

/**
 * Value generators for the fuzz suite: values that fit a JSON schema (so requests get past
 * validation and reach handler code) and values that do not (wrong types, edge numbers, huge,
 * control and right-to-left text, prototype keys, deep nesting).
 *
 * No generated value may contain what the leak check looks for (SQL, stack frames), or an
 * echo of it in a 2xx answer would read as a leak.
 */

export type JsonSchema = Record<string, unknown>;
/** Known-good values by field name (slugs, ids, the patient's own email...), per operation. */
export type Hints = Record<string, readonly unknown[]>;

const RTL = '\u202E';
/** C0/C1 controls, line and paragraph separators, BOM, zero-width and bidi characters. */
const CONTROLS = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\r',
  '\u000b',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\u200b',
  '\u200d',
  RTL,
  '\u202d',
  '\u2066',
  '\u061c',
];

/** Strings that have broken parsers before: numbers in disguise, dates that are not, injections. */
const TRICKY = [
  '',
  ' ',
  '   ',
  '\t\n',
  'null',
  'undefined',
  'true',
  'false',
  'NaN',
  'Infinity',
  '-Infinity',
  '-1',
  '0',
  '-0',
  '1.5',
  '1e3',
  '1e309',
  '-1e309',
  '9007199254740993',
  '99999999999999999999999999',
  '2147483648',
  '-2147483649',
  '0x1F',
  '0b101',
  '1_000',
  '+5',
  ' 7 ',
  '٣',
  '１２',
  '[]',
  '{}',
  '[object Object]',
  "' OR '1'='1",
  '1; DROP TABLE users;--',
  '%',
  '_',
  '%_%',
  '\\',
  '\\\\x00',
  '"',
  "'",
  '`',
  '../../etc/passwd',
  '..%2F..%2F',
  '<script>alert(1)</script>',
  '${7*7}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '2026-02-30',
  '2026-13-01',
  '0000-00-00',
  '9999-12-31',
  '2026-12-02T09:00:00Z',
  '2026-12-02 09:00',
  '2026-12-02 25:00',
  '24:00',
  '23:60',
  '9:00',
  '09:00:00',
  '-09:00',
  'e\u0301',
  'İı',
  'ß',
  '🙂',
  '👩‍⚕️',
  `${RTL}gpj.exe`,
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x'.repeat(257),
];

const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Text no schema expects: control, bidi and odd unicode, lone surrogates, known tricky strings. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...CONTROLS), fc.constantFrom('a', 'Z', '1', ' ', '-', '@')), {
        minLength: 1,
        maxLength: 30,
      })
      .map((a) => a.join('')),
  },
  { weight: 1, arbitrary: fc.string({ unit: surrogate, minLength: 1, maxLength: 3 }) },
);

/** Long text: past every maxLength, some of it multi-byte, some of it control characters. */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(256, 5_000, 100_000), fc.constantFrom('a', 'é', '🙂', RTL, '\u0000', ' ', '9', '%'))
  .map(([n, c]) => c.repeat(n));

/** Numbers at the edges: negative, fractional, beyond 32 and 53 bits, signed zero. */
export const edgeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-1, 0, -0, 1.5, -0.0001, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 1e21, 1e308, -1e308, Number.MIN_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Pagination values a client might send: negative, fractional, huge, non-numeric, lists. */
export const badPagination: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('-1', '0', '-0', '1.5', '1e3', '1e309', 'NaN', 'Infinity', 'abc', '', ' 1', '0x10', '+5', '١'),
  fc.constantFrom('99999999999999999999', '101', '1000000', '2147483648', '9007199254740993', '1,2', 'null'),
  edgeNumber,
  fc.constantFrom(null, true, [], [1, 2], { a: 1 }),
);

/** Any JSON value, small. */
export const smallJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2, depthSize: 'xsmall' });

/** Keys that have hurt object handling: prototype names, operators, empty, odd unicode. */
export const oddKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'valueOf',
    'hasOwnProperty',
    '__defineGetter__',
    '$where',
    '$gt',
    'role',
    'is_admin',
    'id',
    'user_id',
    'per_page',
    '',
    ' ',
    'a.b',
    'a[b]',
    RTL,
    '\u0000',
  ),
  fc.string({ maxLength: 12 }),
);

/** Sets a key as an own property, `__proto__` included (a plain assignment would set the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Nested objects or arrays, deeper than any schema expects. */
export const deepValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(20, 200, 2_000), fc.boolean())
  .map(([depth, arrays]) => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
    return v;
  });

/** A value of the wrong kind for (nearly) any field. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyString },
  { weight: 2, arbitrary: edgeNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], ['a', 1], { '': '' }) },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: smallJson },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      JSON.parse('{"__proto__": {"polluted": 1}}'),
      JSON.parse('{"constructor": {"prototype": {"polluted": 1}}}'),
    ),
  },
  { weight: 1, arbitrary: deepValue },
);

const typesOf = (schema: JsonSchema): string[] =>
  Array.isArray(schema.type) ? (schema.type as string[]) : schema.type === undefined ? [] : [String(schema.type)];

function validString(schema: JsonSchema): fc.Arbitrary<string> {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 40, 40);
  if (schema.format === 'email') return fc.emailAddress().filter((e) => e.length <= max || max < 6);
  if (typeof schema.pattern === 'string') {
    const re = new RegExp(schema.pattern as string);
    return fc
      .stringMatching(re, { size: 'xsmall' })
      .map((s) => s.slice(0, Math.max(max, min)))
      .filter((s) => s.length >= min && re.test(s));
  }
  return fc.string({ minLength: Math.max(min, 1), maxLength: Math.max(max, min, 1) });
}

/**
 * A value that fits the schema, preferring the hinted known-good values of the field's name so
 * the request finds real records.
 */
export function validValue(schema: JsonSchema, name: string, hints: Hints): fc.Arbitrary<unknown> {
  const hinted = hints[name];
  if (hinted !== undefined && hinted.length > 0) return fc.constantFrom(...hinted);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const options = (schema.anyOf ?? schema.oneOf) as JsonSchema[];
    return fc.oneof(...options.map((s) => validValue(s, name, hints)));
  }
  const types = typesOf(schema).filter((t) => t !== 'null');
  const type = types[0];
  switch (type) {
    case 'string':
      return validString(schema);
    case 'integer':
      return fc.integer({
        min: typeof schema.minimum === 'number' ? schema.minimum : 0,
        max: typeof schema.maximum === 'number' ? schema.maximum : 1000,
      });
    case 'number':
      return fc.double({ min: 0, max: 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const items = (schema.items as JsonSchema | undefined) ?? {};
      const maxItems = typeof schema.maxItems === 'number' ? Math.min(schema.maxItems, 3) : 3;
      return fc.array(validValue(items, name, hints), { maxLength: maxItems });
    }
    case 'object':
      return validObject(schema, hints);
    default:
      // An open field (`{}`): the handler checks it itself.
      return fc.oneof(fc.string({ maxLength: 12 }), fc.nat(1000));
  }
}

/** An object with every required field and some optional ones, each a fitting value. */
export function validObject(schema: JsonSchema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, sub] of Object.entries(properties)) shape[key] = validValue(sub, key, hints);
  return fc.record(shape, { requiredKeys: [...required].filter((k) => k in shape) }) as fc.Arbitrary<
    Record<string, unknown>
  >;
}

type Mutation =
  | { kind: 'drop'; pick: number }
  | { kind: 'wrong'; pick: number; value: unknown }
  | { kind: 'extra'; key: string; value: unknown }
  | { kind: 'pagination'; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('wrong' as const), pick: fc.nat(), value: wrongValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('extra' as const), key: oddKey, value: wrongValue }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('pagination' as const),
      key: fc.constantFrom('data', 'page', 'per_page'),
      value: badPagination,
    }),
  },
);

function applyMutations(base: Record<string, unknown>, mutations: Mutation[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(base)) setOwn(out, k, v);
  for (const m of mutations) {
    const keys = Object.keys(out);
    if (m.kind === 'drop') {
      if (keys.length > 0) delete out[keys[m.pick % keys.length]!];
    } else if (m.kind === 'wrong') {
      if (keys.length > 0) setOwn(out, keys[m.pick % keys.length]!, m.value);
    } else {
      setOwn(out, m.key, m.value);
    }
  }
  return out;
}

/** A valid object with one to three things wrong: a field dropped, a wrong value, an extra key. */
export function mutatedObject(schema: JsonSchema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(validObject(schema, hints), fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([base, mutations]) => applyMutations(base, mutations));
}
