// The obgyn routes' schemas (TypeBox), apart from their handlers: one definition validates the
// request, types the handler, serialises the answer and writes the OpenAPI document.
import { Type } from 'typebox';

export const ObgynSchema = Type.Object(
  {
    user_id: Type.String(),
    suami: Type.String(),
    faskes1: Type.Union([Type.String(), Type.Null()]),
    faskes_rujukan: Type.Union([Type.String(), Type.Null()]),
    pendidikan: Type.Union([Type.String(), Type.Null()]),
    pekerjaan: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  {
    examples: [
      {
        user_id: 'd23d8381-0ee8-4b75-a5a4-8085cda063b6',
        suami: 'Budi Santoso',
        faskes1: 'Puskesmas Coblong',
        faskes_rujukan: 'RSUD Kota Bandung',
        pendidikan: 'S1',
        pekerjaan: 'Guru',
        created_at: '2026-11-28T00:45:03.711Z',
        updated_at: '2026-11-28T00:45:03.711Z',
      },
    ],
  },
);
