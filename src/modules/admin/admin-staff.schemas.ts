import { Type } from 'typebox';

const Role = Type.Enum(['operator', 'hospital_admin'], {
  description: 'operator: everything; hospital_admin: only the hospitals listed.',
});
const Hospitals = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  maxItems: 200,
  description: "Hospital slugs (a hospital admin's).",
});

export const StaffResourceSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    role: Role,
    hospitals: Type.Array(Type.Object({ slug: Type.String(), name: Type.String() })),
    disabled_at: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String(),
  },
  {
    examples: [
      {
        id: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
        name: 'Rina Admin RS',
        email: 'rina@rs-harapan.test',
        role: 'hospital_admin',
        hospitals: [{ slug: 'rs-harapan-sehat-jakarta', name: 'RS Harapan Sehat Jakarta' }],
        disabled_at: null,
        created_at: '2026-12-01T02:00:00.000Z',
      },
    ],
  },
);

export const StaffCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    email: Type.String({ minLength: 3, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 128, description: '12 characters at least.' }),
    role: Type.Optional(Role),
    hospitals: Type.Optional(Hospitals),
  },
  {
    examples: [
      {
        name: 'Rina Admin RS',
        email: 'rina@rs-harapan.test',
        password: 'rahasia-rs-harapan-2026',
        role: 'hospital_admin',
        hospitals: ['rs-harapan-sehat-jakarta'],
      },
    ],
  },
);

export const StaffUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    role: Type.Optional(Role),
    hospitals: Type.Optional(Hospitals),
  },
  { examples: [{ hospitals: ['rs-harapan-sehat-jakarta', 'rs-harapan-sehat-bogor'] }] },
);

export const StaffPassword = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: 128, description: '12 characters at least.' }) },
  { examples: [{ password: 'sandi-baru-untuk-rina-2026' }] },
);

export const StaffParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
