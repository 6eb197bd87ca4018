import { Type, type TSchema } from 'typebox';

export const NOT_BLANK = '\\S';

/** The success envelope around a route's data. */
export const Envelope = <T extends TSchema>(data: T) =>
  Type.Object({ success: Type.Boolean(), message: Type.String(), data });

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
  Type.Object({ success: Type.Boolean(), message: Type.String(), data: Type.Array(item), meta: MetaSchema });

/** Query strings and bodies of list routes: anything; the handlers read what they know. */
export const Loose = Type.Object({}, { additionalProperties: true });

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
