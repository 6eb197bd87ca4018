import { Type } from 'typebox';
import { exampleOf } from '../../http/schemas.js';
import { UserResourceSchema } from '../accounts/index.js';

/** The back office's browser session: who is signed in, and the value every change sends back. */
export const BrowserSessionSchema = Type.Object(
  {
    user: UserResourceSchema,
    role: Type.Enum(['operator', 'hospital_admin'], {
      description: 'operator: everything; hospital_admin: only the hospitals assigned (the API enforces it).',
    }),
    csrf_token: Type.Union([Type.String(), Type.Null()], {
      description: 'Send it as the x-csrf-token header on every change (null outside a browser session).',
    }),
    expires_at: Type.Union([Type.String(), Type.Null()], {
      description: 'When the session ends (null on reads: the cookie itself expires then).',
    }),
  },
  {
    examples: [
      {
        user: exampleOf(UserResourceSchema),
        role: 'operator',
        csrf_token: 'H2k3vHf8yqvxuQyq2c0u0w3zL9bq8xYq1m5m2nG8Zx0',
        expires_at: '2026-12-03T22:00:00.000Z',
      },
    ],
  },
);
