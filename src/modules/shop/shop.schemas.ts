// The shop routes' schemas (TypeBox), apart from their handlers: one definition validates the
// request, types the handler, serialises the answer and writes the OpenAPI document.
import { Type } from 'typebox';
import { LooseWith, Nullable, PAGE_FIELDS } from '../../http/schemas.js';

export const ProductSchema = Type.Object(
  {
    slug: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    price: Type.Integer({ description: 'Whole rupiah.' }),
    stock: Type.Integer(),
    images: Type.Array(Type.String(), { description: 'Image URLs.' }),
    category: Type.Object({ slug: Type.String(), name: Type.String() }),
  },
  {
    examples: [
      {
        slug: 'alat-cek-gula-darah-set',
        name: 'Alat Cek Gula Darah Set',
        description: 'Alat pemantau gula darah di rumah. Simpan di tempat sejuk dan kering.',
        price: 275000,
        stock: 176,
        images: ['https://api.cexup.com/files/images/0d6f1c2a-9b3e-4f5a-8c7d-1e2f3a4b5c6d.jpg'],
        category: { slug: 'alat-kesehatan', name: 'Alat Kesehatan' },
      },
    ],
  },
);

export const CategorySchema = Type.Object(
  {
    slug: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    product_count: Type.Integer(),
  },
  {
    examples: [
      {
        slug: 'alat-kesehatan',
        name: 'Alat Kesehatan',
        description: 'Alat pemantau kesehatan di rumah, masker, dan perlengkapan perawatan.',
        product_count: 15,
      },
    ],
  },
);

export const PageQuery = LooseWith(PAGE_FIELDS);

export const SlugParams = Type.Object({ slug: Type.String() });
