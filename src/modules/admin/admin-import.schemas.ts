import { Type } from 'typebox';
import { CATALOGUE_ENTITIES } from '../../cli/import-catalogue/index.js';
import { MiB } from '../../sizes.js';

/** The most characters a catalogue file's text may have (about 5 MB of mostly ASCII text). */
export const IMPORT_CONTENT_MAX = 5 * MiB;

/**
 * The request's body: a JSON string escapes quotes, backslashes and line breaks in two bytes and
 * writes other characters in up to three (UTF-8), so three bytes a character always suffice.
 */
export const IMPORT_BODY_LIMIT = 3 * IMPORT_CONTENT_MAX + 64 * 1024;

export const CatalogueImportBody = Type.Object(
  {
    file_name: Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'The uploaded file’s name: it must end in .json or .csv (any case). A CSV file holds one entity, named by ' +
        'the last word of its name: specialities.csv, rs-harapan-doctors.csv (speciality, hospital, doctor, article, ' +
        'category, product, singular or plural).',
    }),
    content: Type.String({
      maxLength: IMPORT_CONTENT_MAX,
      description:
        'The file’s text (UTF-8, a leading byte-order mark allowed), in the formats of `npm run import`: JSON, one ' +
        'object with any of the arrays specialities, hospitals, doctors, articles, categories, products; CSV, a ' +
        'header row naming the columns, one record a row.',
    }),
    dry_run: Type.Boolean({
      description: 'true: check everything and say what would change, writing nothing. false: apply it.',
    }),
  },
  {
    examples: [
      {
        file_name: 'hospitals.csv',
        content: 'slug,name,city,timezone\nrs-harapan-jakarta,RS Harapan Jakarta,Jakarta,Asia/Jakarta\n',
        dry_run: true,
      },
    ],
  },
);

const Slugs = (description: string) => Type.Array(Type.String(), { description });

const EntityChangesSchema = Type.Object({
  create: Slugs('Slugs not in the catalogue yet, in file order.'),
  update: Slugs('Slugs in the catalogue whose stored values differ from the file’s, in file order.'),
  unchanged: Type.Integer({ minimum: 0, description: 'Records of the file the catalogue already has as they are.' }),
  fields: Type.Object(
    {},
    {
      additionalProperties: Type.Array(Type.String()),
      description:
        'For each slug of `update`, the fields that differ (file field names; a doctor’s practices as "practices").',
    },
  ),
});

const COUNT_NAMES = [...CATALOGUE_ENTITIES, 'practices'] as const;

export const CatalogueImportResource = Type.Object(
  {
    dry_run: Type.Boolean({ description: 'true: nothing was written; this is what applying would do.' }),
    changes: Type.Object(
      Object.fromEntries(CATALOGUE_ENTITIES.map((e) => [e, EntityChangesSchema])) as Record<
        (typeof CATALOGUE_ENTITIES)[number],
        typeof EntityChangesSchema
      >,
    ),
    counts: Type.Object(
      Object.fromEntries(COUNT_NAMES.map((e) => [e, Type.Integer({ minimum: 0 })])) as Record<
        (typeof COUNT_NAMES)[number],
        ReturnType<typeof Type.Integer>
      >,
      { description: 'Records of the file per entity, and the doctors’ practices (0: none in the file).' },
    ),
  },
  {
    examples: [
      {
        dry_run: true,
        changes: {
          specialities: { create: [], update: [], unchanged: 0, fields: {} },
          hospitals: {
            create: ['rs-sehat-makassar'],
            update: ['rs-harapan-jakarta'],
            unchanged: 3,
            fields: { 'rs-harapan-jakarta': ['name', 'phone'] },
          },
          doctors: { create: [], update: [], unchanged: 0, fields: {} },
          articles: { create: [], update: [], unchanged: 0, fields: {} },
          categories: { create: [], update: [], unchanged: 0, fields: {} },
          products: { create: [], update: [], unchanged: 0, fields: {} },
        },
        counts: { specialities: 0, hospitals: 5, doctors: 0, articles: 0, categories: 0, products: 0, practices: 0 },
      },
    ],
  },
);
