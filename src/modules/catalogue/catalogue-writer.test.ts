import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFreshDatabase } from '../../../test/helpers.js';
import {
  articleHtmlIsEmpty,
  catalogueColumns,
  insertRows,
  newCatalogueRow,
  updateCatalogueRow,
} from './catalogue-writer.js';

test('columns are stored one way: trimmed text, blank optional text as null, derived columns', () => {
  assert.deepEqual(
    catalogueColumns('hospitals', {
      name: '  RS Sehat ',
      city: ' Bandung',
      address: '   ',
      phone: null,
      description: ' Umum ',
      doctor_leave_allowed: true,
    }),
    { name: 'RS Sehat', city: 'Bandung', address: null, phone: null, description: 'Umum', doctor_leave_allowed: 1 },
  );
  assert.deepEqual(catalogueColumns('doctors', { name: ' dr. Siti Rahayu, Sp.A ', about: '' }), {
    name: 'dr. Siti Rahayu, Sp.A',
    about: null,
    name_search: 'dr. siti rahayu, sp.a',
  });
  // An absent field is not touched (a patch), unlike a null one (cleared).
  assert.deepEqual(catalogueColumns('products', { price: 5000 }), { price: 5000 });
  const article = catalogueColumns('articles', { body: ' <p>Halo</p><script>alert(1)</script> ' }) as {
    body_html: string;
  };
  assert.equal(article.body_html, '<p>Halo</p>');
  assert.equal(
    articleHtmlIsEmpty(catalogueColumns('articles', { body: '<script>x</script>' }).body_html as string),
    true,
  );
  assert.equal(articleHtmlIsEmpty('<p><img src="/a.png"></p>'), false);
});

test('a new row carries no pictures, its publication and its timestamps', () => {
  const now = Date.UTC(2026, 5, 1);
  assert.deepEqual(newCatalogueRow('products', 'p1', { slug: 'obat', name: 'Obat', price: 1, stock: 2 }, { now }), {
    id: 'p1',
    slug: 'obat',
    name: 'Obat',
    price: 1,
    stock: 2,
    image_ids: '[]',
    unpublished_at: null,
    created_at: now,
    updated_at: now,
  });
  const hidden = newCatalogueRow('specialities', 's1', { slug: 'a', name: 'A' }, { now, published: false });
  assert.equal(hidden.unpublished_at, now);
  const draft = newCatalogueRow(
    'articles',
    'a1',
    { slug: 'a', title: 'A', body: '<p>x</p>' },
    { now, published: false },
  );
  assert.equal(draft.published_at, null);
  assert.equal(draft.image_id, null);
  const back = newCatalogueRow(
    'articles',
    'a2',
    { slug: 'b', title: 'B', body: 'x' },
    { now, created: now - 5, publishedAt: now - 1 },
  );
  assert.deepEqual([back.published_at, back.created_at, back.updated_at], [now - 1, now - 5, now]);
});

test('rows are written in batches and a change sets updated_at', async (t) => {
  const fresh = await createFreshDatabase();
  t.after(async () => {
    await fresh.handle.destroy();
    await fresh.cleanup();
  });
  const db = fresh.handle.db;
  const now = Date.UTC(2026, 5, 1);
  // More rows than one statement takes, so the batching is exercised.
  const rows = Array.from({ length: 1203 }, (_, i) =>
    newCatalogueRow('specialities', `s${i}`, { slug: `s-${i}`, name: ` Spesialis ${i} `, description: '' }, { now }),
  );
  await insertRows(db, 'specialities', rows);
  const stored = await db.selectFrom('specialities').selectAll().orderBy('id').execute();
  assert.equal(stored.length, 1203);
  const s7 = stored.find((r) => r.id === 's7')!;
  assert.deepEqual(
    { name: s7.name, description: s7.description, unpublished_at: s7.unpublished_at, created_at: s7.created_at },
    { name: 'Spesialis 7', description: null, unpublished_at: null, created_at: now },
  );

  const after = await updateCatalogueRow(
    db,
    'specialities',
    's7',
    catalogueColumns('specialities', { name: 'Baru ' }),
    now + 9,
  );
  assert.equal(after?.name, 'Baru');
  assert.equal(after?.updated_at, now + 9);
  assert.equal(await updateCatalogueRow(db, 'specialities', 'missing', { name: 'x' }, now), undefined);
});

test("fields that are not the table's own are left out", () => {
  const fields = { name: 'Obat', valueOf: 'x', unpublished_at: 1, id: 'other' } as unknown as { name: string };
  assert.deepEqual(catalogueColumns('products', fields), { name: 'Obat' });
  assert.deepEqual(catalogueColumns('specialities', { name: 'A', publish: true } as { name: string }), { name: 'A' });
});
