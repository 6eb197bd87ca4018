import { Type } from 'typebox';
import { Nullable, RequiredText } from '../../http/schemas.js';
import { SLUG_PATTERN } from './admin.schemas.js';

/** The longest overlap of a rotation: a year. */
export const MAX_OVERLAP_HOURS = 8760;
/** At most this many hospitals in an app's scope. */
export const MAX_SCOPE_HOSPITALS = 500;

const HospitalSlug = Type.String({ minLength: 1, maxLength: 100, pattern: SLUG_PATTERN });
const Hospitals = Type.Array(HospitalSlug, {
  minItems: 1,
  maxItems: MAX_SCOPE_HOSPITALS,
  description: 'Slugs of existing hospitals (published or not): the app sees only these. Left out: all of them.',
});

// Request bodies.

export const AppCreate = Type.Object(
  {
    name: RequiredText(100),
    hospitals: Type.Optional(Hospitals),
  },
  { examples: [{ name: 'Aplikasi Mitra Bandung', hospitals: ['rs-sehat-sentosa-bandung'] }] },
);

export const AppUpdate = Type.Object(
  {
    name: Type.Optional(RequiredText(100)),
    hospitals: Type.Optional(
      Type.Unsafe<string[] | null>({
        type: ['array', 'null'],
        items: HospitalSlug,
        minItems: 1,
        maxItems: MAX_SCOPE_HOSPITALS,
        description: 'Slugs of existing hospitals; null: every hospital.',
      }),
    ),
  },
  { examples: [{ name: 'Aplikasi Mitra Jawa Barat', hospitals: null }] },
);

export const AppRotate = Type.Object(
  {
    overlap_hours: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_OVERLAP_HOURS,
        description:
          'How long the current keys keep working (0: they stop now). Default: API_KEY_ROTATION_OVERLAP_HOURS.',
      }),
    ),
  },
  { examples: [{ overlap_hours: 48 }] },
);

// Resources.

const KEY_EXAMPLE = {
  id: '3c9e7a21-5b4d-4f8e-9a6c-2d1b0e7f4a93',
  prefix: 'cxk_Q3vZ',
  created_at: '2026-11-02T03:00:00.000Z',
  expires_at: null,
  revoked_at: null,
  state: 'active',
};
const APP_EXAMPLE = {
  id: '8a2f6d14-7c3b-4e9a-b5d1-0f6e2c9a7b38',
  name: 'Aplikasi Mitra Bandung',
  hospital_scope: ['rs-sehat-sentosa-bandung'],
  created_at: '2026-11-02T03:00:00.000Z',
  revoked_at: null,
  keys: [KEY_EXAMPLE],
};
const RAW_KEY_EXAMPLE = 'cxk_EXAMPLEONLY4b1Xy9QzvT7m2LpR8sWnHc3dKfJ0aVeUgY6';

export const AppKeyResource = Type.Object(
  {
    id: Type.String(),
    prefix: Type.String({ description: 'The first characters of the key, to recognise it: never the key.' }),
    created_at: Type.String(),
    expires_at: Nullable(Type.String({ description: 'Set when rotated out: the key works until then.' })),
    revoked_at: Nullable(Type.String()),
    state: Type.Enum(['active', 'expiring', 'expired', 'revoked'], {
      description:
        'active: works; expiring: rotated out, works until expires_at; expired: rotated out and past it; ' +
        'revoked: the key or its app was revoked.',
    }),
  },
  { examples: [KEY_EXAMPLE] },
);

const appFields = {
  id: Type.String(),
  name: Type.String(),
  hospital_scope: Nullable(
    Type.Array(Type.String(), { description: 'Hospital slugs the app is limited to; null: every hospital.' }),
  ),
  created_at: Type.String(),
  revoked_at: Nullable(Type.String({ description: 'Set when the app was revoked: none of its keys works.' })),
  keys: Type.Array(AppKeyResource, { description: 'Oldest first.' }),
};

export const AppResource = Type.Object(appFields, { examples: [APP_EXAMPLE] });

const keyFields = {
  key_id: Type.String({ description: 'The id of the new key (in keys).' }),
  key: Type.String({ description: 'The new API key: shown this once, stored only hashed. Send it as x-api-key.' }),
};

export const AppCreated = Type.Object(
  { ...appFields, ...keyFields },
  { examples: [{ ...APP_EXAMPLE, key_id: KEY_EXAMPLE.id, key: RAW_KEY_EXAMPLE }] },
);

export const AppRotated = Type.Object(
  {
    ...appFields,
    ...keyFields,
    old_keys_expire_at: Type.String({ description: 'When the keys that worked before stop working.' }),
  },
  {
    examples: [
      {
        ...APP_EXAMPLE,
        keys: [
          { ...KEY_EXAMPLE, expires_at: '2026-12-04T03:00:00.000Z', state: 'expiring' },
          {
            ...KEY_EXAMPLE,
            id: 'e4b7c0d9-2a6f-4c1e-8d3b-9f5a1e7c2b60',
            prefix: 'cxk_EXAM',
            created_at: '2026-12-01T03:00:00.000Z',
          },
        ],
        key_id: 'e4b7c0d9-2a6f-4c1e-8d3b-9f5a1e7c2b60',
        key: RAW_KEY_EXAMPLE,
        old_keys_expire_at: '2026-12-04T03:00:00.000Z',
      },
    ],
  },
);

export const AppParams = Type.Object({ app_id: Type.String({ maxLength: 64 }) });
export const AppKeyParams = Type.Object({ app_id: Type.String({ maxLength: 64 }), id: Type.String({ maxLength: 64 }) });
