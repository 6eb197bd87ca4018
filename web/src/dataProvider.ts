import { HttpError, type DataProvider, type RaRecord } from 'react-admin';
import { api, unwrap } from './api';

/**
 * react-admin's resources over the admin API. The catalogue kinds are addressed by slug (the
 * record's id here is its slug; the API's own id stays as `uuid`); practices by number, orders by
 * transaction id, audit entries by id. Sorting is the API's own (newest first, or by name).
 */
export const SLUG_KINDS = ['specialities', 'hospitals', 'doctors', 'articles', 'product-categories', 'products'];

type Query = Record<string, string | number | undefined>;
type Answer = { data?: { data: unknown; meta?: { total: number } }; error?: unknown; response: Response };
type Init = { params?: { query?: Query; path?: Record<string, string | number> }; body?: unknown };

// The generic list/one/create/update/delete of every kind: the same calls on paths that differ
// only by the kind's name. The typed client checks each of those paths; the one cast here is of
// the path string chosen at run time, the typed calls elsewhere (orders, schedules, dashboard).
const raw = api as unknown as Record<'GET' | 'POST' | 'PUT' | 'DELETE', (path: string, init?: Init) => Promise<Answer>>;

const idOf = (resource: string, row: Record<string, unknown>): string | number => {
  if (SLUG_KINDS.includes(resource)) return row.slug as string;
  if (resource === 'orders') return row.transaction_id as string;
  return row.id as string | number;
};

const toRecord = (resource: string, row: unknown): RaRecord => {
  const r = row as Record<string, unknown>;
  return { ...r, uuid: r.id, id: idOf(resource, r) };
};

const pathOf = (resource: string) => (resource === 'audit-log' ? '/api/admin/audit-log' : `/api/admin/${resource}`);

/** Only what the API takes: nothing empty, no bookkeeping fields. */
function cleanFilter(filter: Record<string, unknown>): Query {
  const query: Query = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === null || value === '') continue;
    query[key] = Array.isArray(value) ? value.join(',') : (value as string | number);
  }
  return query;
}

/** A picture chosen in a form (react-admin's ImageInput), sent as the API takes it: base64 and a type. */
async function uploadPicture(resource: string, id: string | number, picture: { rawFile?: File } | undefined) {
  const file = picture?.rawFile;
  if (!(file instanceof File)) return;
  const dataUrl = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
  const type = file.type.replace('image/', '').replace('jpeg', 'jpg');
  try {
    unwrap(
      await raw.POST(`${pathOf(resource)}/${encodeURIComponent(String(id))}/image`, { body: { file: dataUrl, type } }),
    );
  } catch (err) {
    // The picture's refusal (too big, not an image) goes under the picture field.
    const e = err as HttpError;
    throw new HttpError(e.message, e.status, { ...(e.body as object), errors: { picture: e.message } });
  }
}

const READ_ONLY = new Set([
  'id',
  'uuid',
  'created_at',
  'updated_at',
  'unpublished_at',
  'thumb',
  'image_id',
  'practices',
  'picture',
]);
function bodyOf(data: Record<string, unknown>, previous?: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (READ_ONLY.has(key) || key.endsWith('_name') || key === 'images' || key === 'appointment_types') continue;
    // Only what changed on an edit, so a field the API refuses to take as is (a slug) is left alone.
    if (previous !== undefined && JSON.stringify(previous[key]) === JSON.stringify(value)) continue;
    body[key] = value === '' ? null : value;
  }
  return body;
}

export const dataProvider: DataProvider = {
  async getList(resource, params) {
    const { page = 1, perPage = 25 } = params.pagination ?? {};
    const filter = cleanFilter(params.filter ?? {});
    if (perPage > 100) {
      // An export asks for more than a page holds (100): every page of the filtered list, in turn.
      const rows: RaRecord[] = [];
      for (let p = 1; rows.length < perPage; p++) {
        const answer = unwrap(
          await raw.GET(pathOf(resource), { params: { query: { ...filter, page: p, data: 100 } } }),
        );
        const pageRows = (answer.data as unknown[]).map((row) => toRecord(resource, row));
        rows.push(...pageRows);
        if (pageRows.length < 100) break;
      }
      return { data: rows as never[], total: rows.length };
    }
    const answer = unwrap(await raw.GET(pathOf(resource), { params: { query: { ...filter, page, data: perPage } } }));
    const rows = (answer.data as unknown[]).map((row) => toRecord(resource, row));
    return { data: rows as never[], total: answer.meta?.total ?? rows.length };
  },
  async getOne(resource, params) {
    if (resource === 'staff') {
      // Staff has no one-record route: the list is short.
      const all = await dataProvider.getList('staff', {
        pagination: { page: 1, perPage: 100 },
        sort: { field: 'id', order: 'ASC' },
        filter: {},
      });
      const found = all.data.find((r) => r.id === params.id);
      if (found === undefined) throw new HttpError('Not found', 404);
      return { data: found };
    }
    const answer = unwrap(await raw.GET(`${pathOf(resource)}/${encodeURIComponent(String(params.id))}`));
    return { data: toRecord(resource, answer.data) as never };
  },
  async getMany(resource, params) {
    const data = await Promise.all(params.ids.map((id) => dataProvider.getOne(resource, { id }).then((r) => r.data)));
    return { data };
  },
  async getManyReference(resource, params) {
    return dataProvider.getList(resource, { ...params, filter: { ...params.filter, [params.target]: params.id } });
  },
  async create(resource, params) {
    const answer = unwrap(await raw.POST(pathOf(resource), { body: bodyOf(params.data) }));
    return { data: toRecord(resource, answer.data) as never };
  },
  async update(resource, params) {
    // The picture first: if it is refused, nothing of the form is saved and the form stays.
    await uploadPicture(resource, params.id, params.data.picture);
    const body = bodyOf(params.data, params.previousData);
    const answer = unwrap(await raw.PUT(`${pathOf(resource)}/${encodeURIComponent(String(params.id))}`, { body }));
    return { data: toRecord(resource, answer.data) as never };
  },
  async updateMany() {
    throw new Error('not supported');
  },
  async delete(resource, params) {
    unwrap(await raw.DELETE(`${pathOf(resource)}/${encodeURIComponent(String(params.id))}`));
    return { data: (params.previousData ?? { id: params.id }) as never };
  },
  async deleteMany(resource, params) {
    for (const id of params.ids) await dataProvider.delete(resource, { id });
    return { data: params.ids };
  },
};

/** Publish or unpublish a catalogue record (articles: back to draft). */
export async function setPublished(resource: string, id: string | number, published: boolean): Promise<RaRecord> {
  const action = published ? 'publish' : 'unpublish';
  const answer = unwrap(await raw.POST(`${pathOf(resource)}/${encodeURIComponent(String(id))}/${action}`));
  return toRecord(resource, answer.data);
}
