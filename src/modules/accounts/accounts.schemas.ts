// The accounts routes' schemas (TypeBox), apart from their handlers: one definition validates the
// request, types the handler, serialises the answer and writes the OpenAPI document.
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import { ANY_ROLE } from '../../http/auth.js';
import { type Lang } from '../../http/i18n.js';
import { exampleOf } from '../../http/schemas.js';
import { ADMIN_PASSWORD_MIN_LENGTH, DOCTOR_PASSWORD_MIN_LENGTH, PATIENT_PASSWORD_MIN_LENGTH } from './passwords.js';
import { type AccountsService } from './accounts.service.js';
import type { UserRow } from './accounts.repository.js';

export const UserResourceSchema = Type.Object(
  {
    user_id: Type.String(),
    name: Type.String(),
    username: Type.String(),
    email: Type.String(),
    address: Type.Union([Type.String(), Type.Null()]),
    gender: Type.Union([Type.String(), Type.Null()]),
    phone_number: Type.Union([Type.String(), Type.Null()]),
    date_of_birth: Type.Union([Type.String(), Type.Null()]),
    place_of_birth: Type.Union([Type.String(), Type.Null()]),
    type: Type.Union([Type.String(), Type.Null()]),
    no_type: Type.Union([Type.String(), Type.Null()], { description: 'Masked: only the last 4 characters.' }),
    thumb: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  {
    examples: [
      {
        user_id: 'd23d8381-0ee8-4b75-a5a4-8085cda063b6',
        name: 'Siti Rahayu',
        username: 'sitirahayu',
        email: 'siti@example.id',
        address: 'Jl. Sudirman 5, Bandung',
        gender: 'perempuan',
        phone_number: '081234567890',
        date_of_birth: '1994-03-12',
        place_of_birth: 'Bandung',
        type: 'ktp',
        no_type: '************0001',
        thumb: 'https://api.cexup.com/files/avatars/5b0f6a52-7d8e-4c3b-9a51-2f0c8e7d4a10.jpg',
        created_at: '2026-11-28T00:45:02.588Z',
        updated_at: '2026-11-28T01:10:40.120Z',
      },
    ],
  },
);

/** A login's answer: the token and the account it opens. */
export const SessionSchema = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('Bearer'),
    expires_at: Type.String(),
    user: UserResourceSchema,
  },
  {
    examples: [
      {
        access_token: 'cxp_Dl2mnvmdOmeKR6WZTn-i-qlPvaZ-Q3Ie84O3NC-lxHs',
        token_type: 'Bearer',
        expires_at: '2026-12-28T00:45:03.514Z',
        user: exampleOf(UserResourceSchema),
      },
    ],
  },
);

/** The body of every login route. */
export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254, description: 'An email or a username.' }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { examples: [{ email: 'demo@cexup.test', password: 'demo-pasien-2026' }] },
);

export const USERNAME_PATTERN = '^[a-zA-Z]+[0-9]*$';

/** The shortest new password of each role: as when such an account is made. */
export const PASSWORD_MIN_LENGTH: Record<string, number> = {
  patient: PATIENT_PASSWORD_MIN_LENGTH,
  doctor: DOCTOR_PASSWORD_MIN_LENGTH,
  admin: ADMIN_PASSWORD_MIN_LENGTH,
};

/** In the document: the session routes take every role's token. */
export const ANY_ROLE_TOKEN = {
  description: "Any signed-in account's token: a patient's, a doctor's or an admin's.",
  'x-token-roles': ANY_ROLE,
};

export interface AccountsRouteDeps {
  accounts: AccountsService;
  config: Pick<Config, 'publicUrl' | 'limits'>;
  /** Called with each new account and the request's language: the email confirmation mail. */
  onRegistered?: (user: UserRow, lang: Lang) => void;
}
