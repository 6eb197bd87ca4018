import fc from 'fast-check';
import {
  badPagination,
  deepValue,
  mutatedObject,
  nastyString,
  oddKey,
  setOwn,
  smallJson,
  validObject,
  validValue,
  wrongValue,
  type Hints,
  type JsonSchema,
} from './values.js';

/** One operation of the OpenAPI document. */
export interface Operation {
  method: string;
  /** The document's path, `/api/doctor/{slug}`. */
  path: string;
  spec: {
    operationId?: string;
    security?: Record<string, string[]>[];
    parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
    requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  };
}

/** A generated request, ready for `inject` (headers hold no credentials yet). */
export interface FuzzRequest {
  /** What kind of malformation this is, for the failure report. */
  kind: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

/** Percent-encoding that also copes with lone surrogates (sent as their CESU-8 bytes). */
export function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text]
      .map((ch) => {
        const code = ch.charCodeAt(0);
        if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff) {
          const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
          return bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
        }
        return encodeURIComponent(ch);
      })
      .join('');
  }
}

/** Path segments that are not what a route expects, already in URL form. */
const badSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: nastyString.filter((s) => s !== '').map(encode) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '%',
      '%zz',
      '%E0%A4%A',
      '%C0%AF',
      '%00',
      '%2F',
      '-1',
      '0',
      '1.5',
      '99999999999999999999',
      '2147483648',
      '9223372036854775808',
      'NaN',
      '%E2%80%AE',
      '%F0%9F%99%82',
      'a'.repeat(199),
      'a'.repeat(201),
      'a'.repeat(5_000),
      '__proto__',
      'constructor',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }).map(encode) },
);

/** Printable ASCII: what a header value may hold. */
const headerText = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

const CONTENT_TYPES_WRONG = [
  'text/plain',
  'text/html',
  'application/xml',
  'multipart/form-data; boundary=----fuzz',
  'application/octet-stream',
  'application/vnd.api+json',
  'application/json-patch+json',
  'application/javascript',
  'image/png',
  'invalid',
  '*/*',
  ';',
  'application/',
];
const CONTENT_TYPES_JSON = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json;charset=latin1',
  'application/json; charset=utf-16',
  'application/json; foo=bar',
  'application/json, text/plain',
];

const BROKEN_JSON = [
  '{',
  '}',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{a:1}',
  '[1,2',
  'nul',
  'NaN',
  'undefined',
  '{"a":1}{"b":2}',
  '{"a":1} x',
  '\ufeff{"a":1}',
  '{"__proto__":{"polluted":1}}',
  '{"a":{"__proto__":{"polluted":1}}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"a":"\\x41"}',
  '{"a":1e999}',
  '{"a":-}',
  '{"a":01}',
  '{"a":.5}',
  '{"a":"\u0001"}',
  '{"a" "b"}',
  '{"email":"a","email":{"x":1}}',
  '\u0000',
  '\\',
  '""',
];

/** JSON text with a key the object model hides (`__proto__`) or a value nothing expects. */
function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** Flattens an object into form fields (`a[b]=c`, repeated keys for lists), as qs-style clients send. */
function formText(value: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown, key: string, depth: number) => {
    if (Array.isArray(v)) {
      if (v.length === 0) parts.push(`${encode(key)}=`);
      for (const item of v.slice(0, 20)) walk(item, depth < 2 ? `${key}[]` : key, depth + 1);
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      if (entries.length === 0 || depth > 4) parts.push(`${encode(key)}=`);
      else for (const [k, inner] of entries.slice(0, 20)) walk(inner, key === '' ? k : `${key}[${k}]`, depth + 1);
    } else {
      parts.push(`${encode(key)}=${encode(v === null || v === undefined ? '' : String(v))}`);
    }
  };
  if (typeof value === 'object' && value !== null) walk(value, '', 0);
  else parts.push(encode(String(value)));
  return parts.join('&');
}

interface BodyPart {
  kind: string;
  contentType?: string;
  payload?: string;
}

/** The bodies of one operation: near-valid, mutated, form-encoded, broken, wrongly typed, none. */
function bodies(schema: JsonSchema, hints: Hints, readsBody: boolean): fc.Arbitrary<BodyPart> {
  const valid = validObject(schema, hints);
  const mutated = mutatedObject(schema, hints);
  const json = (kind: string, arb: fc.Arbitrary<unknown>, weight: number) => ({
    weight,
    arbitrary: fc
      .tuple(arb, fc.constantFrom(...CONTENT_TYPES_JSON))
      .map(([v, contentType]): BodyPart => ({ kind, contentType, payload: jsonText(v) })),
  });
  const options: { weight: number; arbitrary: fc.Arbitrary<BodyPart> }[] = [
    { weight: readsBody ? 1 : 6, arbitrary: fc.constant({ kind: 'no body' }) },
    json('near-valid JSON', valid, readsBody ? 4 : 1),
    json('mutated JSON', mutated, readsBody ? 8 : 1),
    json('non-object JSON', fc.oneof(wrongValue, fc.array(smallJson, { maxLength: 3 })), 1),
    json('deeply nested JSON', deepValue, 1),
    json(
      'JSON with prototype keys',
      fc.tuple(valid, fc.constantFrom('__proto__', 'constructor', 'prototype'), wrongValue).map(([o, k, v]) => {
        const copy = { ...o };
        setOwn(copy, k, k === 'constructor' ? { prototype: { polluted: v } } : v);
        return copy;
      }),
      1,
    ),
    {
      weight: readsBody ? 2 : 1,
      arbitrary: fc
        .tuple(
          fc.oneof(valid, mutated),
          fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8'),
        )
        .map(([v, contentType]) => ({ kind: 'form body', contentType, payload: formText(v) })),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.constantFrom(...BROKEN_JSON),
          fc.tuple(valid, fc.nat()).map(([v, cut]) => {
            const text = jsonText(v);
            return text.slice(0, cut % Math.max(text.length, 1));
          }),
          fc.integer({ min: 50, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
          fc.integer({ min: 50, max: 20_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
        )
        .map((payload) => ({ kind: 'broken JSON', contentType: 'application/json', payload })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...CONTENT_TYPES_WRONG), fc.oneof(valid.map(jsonText), nastyString))
        .map(([contentType, payload]) => ({ kind: 'wrong content type', contentType, payload })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(valid.map(jsonText), fc.constant('email=a&password=b'))
        .map((payload) => ({ kind: 'body without content type', payload })),
    },
  ];
  return fc.oneof(...options);
}

/** Bodies over the 1 MB limit (3 MB on uploads): rare, as each costs megabytes. */
const hugeBody = (upload: boolean): fc.Arbitrary<BodyPart> =>
  fc.constantFrom(...(upload ? [1_100_000, 3_200_000] : [1_100_000])).map((n) => ({
    kind: 'body over the limit',
    contentType: 'application/json',
    payload: `{"a":"${'x'.repeat(n)}"}`,
  }));

/** The query string: documented parameters (fitting or not), pagination abuse, extras, raw junk. */
function queryString(op: Operation, hints: Hints): fc.Arbitrary<{ kind: string; text: string }> {
  const params = (op.spec.parameters ?? []).filter((p) => p.in === 'query');
  const names = new Set(params.map((p) => p.name));
  const paginated = names.has('page') || names.has('data');
  const entry = (name: string, schema: JsonSchema) =>
    fc.oneof(
      { weight: 3, arbitrary: validValue(schema, name, hints).map((v) => [[name, v]] as [string, unknown][]) },
      {
        weight: 3,
        arbitrary: (paginated && ['page', 'data'].includes(name) ? badPagination : wrongValue).map(
          (v) => [[name, v]] as [string, unknown][],
        ),
      },
      // The same key twice: the parser makes a list of it.
      {
        weight: 1,
        arbitrary: fc.tuple(validValue(schema, name, hints), nastyString).map(
          ([a, b]) =>
            [
              [name, a],
              [name, b],
            ] as [string, unknown][],
        ),
      },
    );
  const structured = fc
    .tuple(
      fc.tuple(...params.map((p) => fc.option(entry(p.name, p.schema ?? {}), { freq: 2 }))),
      fc.option(
        fc
          .tuple(fc.constantFrom('data', 'page', 'per_page', 'limit', 'offset'), badPagination)
          .map(([k, v]) => [[k, v]]),
        { freq: paginated ? 2 : 6 },
      ),
      fc.option(
        fc.tuple(oddKey, nastyString).map(([k, v]) => [[k, v]]),
        { freq: 4 },
      ),
    )
    .map(([documented, pagination, extra]) => {
      const pairs = [...documented.flatMap((e) => e ?? []), ...(pagination ?? []), ...(extra ?? [])] as [
        string,
        unknown,
      ][];
      const text = pairs
        .map(([k, v]) => `${encode(k)}=${encode(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))}`)
        .join('&');
      return { kind: 'query', text };
    });
  const raw = fc
    .constantFrom(
      'page=1?data=10',
      'data=10?page=2',
      '=',
      '&&&',
      '%',
      '%zz=1',
      'page=%',
      'a[b][c]=1',
      '__proto__[polluted]=1',
      'constructor[prototype][polluted]=1',
      'page[]=1&page[]=2',
      `page=${'9'.repeat(400)}`,
      `data=${'1'.repeat(5_000)}`,
      'page=-1&data=-10',
      'page=0&data=0',
      'page=1.5&data=2.5',
      'page=NaN&data=Infinity',
      'page=1e309',
      'data=101',
      'data=%00',
      'page=%E2%80%AE1',
    )
    .map((text) => ({ kind: 'raw query', text }));
  return fc.oneof({ weight: 4, arbitrary: structured }, { weight: 1, arbitrary: raw });
}

/** Every request the suite makes for one operation: path, query, headers and body together. */
export function requestsFor(op: Operation, hints: Hints): fc.Arbitrary<FuzzRequest> {
  const pathParams = (op.spec.parameters ?? []).filter((p) => p.in === 'path');
  const headerParams = (op.spec.parameters ?? []).filter((p) => p.in === 'header');
  const bodySchema = op.spec.requestBody?.content?.['application/json']?.schema ?? { type: 'object', properties: {} };
  const readsBody = op.spec.requestBody !== undefined;
  // Dot segments would be resolved away by URL parsing (as clients do), reaching another route.
  const segment = (name: string) =>
    fc
      .oneof(
        {
          weight: 4,
          arbitrary: validValue({ type: 'string', maxLength: 30 }, name, hints).map((v) => encode(String(v))),
        },
        { weight: 2, arbitrary: badSegment },
      )
      .filter((s) => !/^(\.|%2e){1,2}$/i.test(s));
  const path = fc.tuple(...pathParams.map((p) => segment(p.name))).map((values) => {
    let url = op.path;
    pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, values[i]!)));
    return url;
  });
  const headers = fc
    .record(
      {
        'accept-language': fc.constantFrom('id', 'en', 'id-ID,id;q=0.9,en;q=0.8', '*', 'xx', ';;;q=abc', 'en;q=2', ''),
        accept: fc.constantFrom('application/json', 'text/html', 'application/xml', '*/*', 'image/png', ''),
        'if-none-match': fc.oneof(fc.constantFrom('*', '"abc"', 'W/"x"', '""', ','), headerText(60)),
        'x-forwarded-for': fc.constantFrom('1.2.3.4', 'not-an-ip', '::1, 10.0.0.1', ''),
        'x-request-id': headerText(200),
        ...Object.fromEntries(
          headerParams.map((p) => [
            p.name,
            fc.oneof(fc.uuid(), headerText(80), fc.constantFrom('', ' ', 'a'.repeat(10_000))),
          ]),
        ),
      },
      { requiredKeys: [] },
    )
    .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>);
  const body = fc.oneof(
    { weight: 200, arbitrary: bodies(bodySchema, hints, readsBody) },
    { weight: 1, arbitrary: hugeBody('file' in ((bodySchema.properties ?? {}) as object)) },
  );
  return fc
    .tuple(path, fc.option(queryString(op, hints), { freq: 3 }), headers, body)
    .map(([url, query, hdrs, b]): FuzzRequest => {
      const kinds = [b.kind, ...(query ? [query.kind] : [])];
      const headersOut: Record<string, string> = { ...hdrs };
      if (b.contentType !== undefined) headersOut['content-type'] = b.contentType;
      return {
        kind: kinds.join(' + '),
        url: query && query.text !== '' ? `${url}?${query.text}` : url,
        headers: headersOut,
        ...(b.payload !== undefined ? { payload: b.payload } : {}),
      };
    });
}
