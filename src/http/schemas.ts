import { Type, type TSchema } from 'typebox';

export const NOT_BLANK = '\\S';

/**
 * The example a schema gives (its first `examples` entry), or one made from its parts: an
 * array of its item's example, null for null, the first member of a union that has one.
 */
export function exampleOf(schema: TSchema): unknown {
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (s.type === 'null') return null;
  if (s.type === 'array' && s.items !== undefined) {
    const item = exampleOf(s.items as TSchema);
    return item === undefined ? undefined : [item];
  }
  if (Array.isArray(s.anyOf)) {
    for (const member of s.anyOf as TSchema[]) {
      const example = exampleOf(member);
      if (example !== undefined) return example;
    }
  }
  return undefined;
}

/** `{ examples: [make(example of schema)] }` when the schema has an example, else nothing. */
function examplesFrom(schema: TSchema, make: (example: unknown) => unknown): { examples?: unknown[] } {
  const example = exampleOf(schema);
  return example === undefined ? {} : { examples: [make(example)] };
}

/** The success envelope around a route's data; its example is made from the data's, with `message`. */
export const Envelope = <T extends TSchema>(data: T, message = 'OK.') =>
  Type.Object(
    { success: Type.Boolean(), message: Type.String(), data },
    examplesFrom(data, (example) => ({ success: true, message, data: example })),
  );

/** A schema, or null. */
export const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);

export const MetaSchema = Type.Object({
  current_page: Type.Integer(),
  per_page: Type.Integer(),
  total: Type.Integer(),
  last_page: Type.Integer(),
});

/** The envelope of a paginated list: the page in `data`, and `meta`. */
export const EnvelopePage = <T extends TSchema>(item: T) =>
  Type.Object(
    { success: Type.Boolean(), message: Type.String(), data: Type.Array(item), meta: MetaSchema },
    examplesFrom(item, (example) => ({
      success: true,
      message: 'OK.',
      data: [example],
      meta: { current_page: 1, per_page: 10, total: 1, last_page: 1 },
    })),
  );

/** The 304 of GET routes that send an ETag: the client's copy is still current; no body. */
export const NotModified = Type.Unsafe<never>({
  type: 'null',
  description: 'Not modified: the If-None-Match ETag is still current.',
});

/** Query strings and bodies of list routes: anything; the handlers read what they know. */
export const Loose = Type.Object({}, { additionalProperties: true });

/**
 * A `Loose` object that names, for the document, the fields its handler reads and checks itself
 * (they are described, not constrained, so what the route accepts does not change).
 */
export const LooseWith = (fields: Record<string, string>, example?: Record<string, unknown>) =>
  Type.Object(
    Object.fromEntries(
      Object.entries(fields).map(([name, description]) => [name, Type.Optional(Type.Unknown({ description }))]),
    ),
    { additionalProperties: true, ...(example === undefined ? {} : { examples: [example] }) },
  );

/** `data` and `page`, as every list reads them from the query string or the body. */
export const PAGE_FIELDS = {
  data: 'Items a page, 1 to 100 (more reads as 100): a number or a digit string. Default 10.',
  page: 'The page, from 1: a number or a digit string. Default 1.',
};

/** Text that must say something: whitespace alone counts as missing. */
export const RequiredText = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: NOT_BLANK });

/** A string that may also be null (null clears an optional field). */
export const NullableString = (options: { maxLength?: number; minLength?: number } = {}) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });

/** `user_id`/`username` as old app bodies carry them: accepted, and checked against the token. */
export const ActingUserFields = {
  user_id: Type.Optional(Type.Unsafe<string | number | null>({ type: ['string', 'number', 'null'] })),
  username: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'] })),
};
