import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import type { AdminDeps } from './admin-deps.js';
import {
  CATALOGUE_ENTITIES,
  importCatalogueText,
  type CatalogueImportSummary,
  type ImportProblem,
} from '../../cli/import-catalogue/index.js';
import { errorBody } from '../../http/errors.js';
import { messages, type Lang } from '../../http/i18n.js';
import { ADMIN, op } from '../../http/openapi.js';
import { Envelope } from '../../http/schemas.js';
import { newId } from '../../security/tokens.js';
import { writeAudit } from './admin-audit.js';
import { CatalogueImportBody, CatalogueImportResource, IMPORT_BODY_LIMIT } from './admin-import.schemas.js';

/** The most problems one answer lists; the rest are counted in a last line. */
const MAX_PROBLEMS = 200;

const lineOf = (p: ImportProblem) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message);

/**
 * The problems of a file, for the upload form: those of its name under `file_name`, the others
 * (by line, in file order) under `content`.
 */
function problemFields(problems: readonly ImportProblem[]): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  const name = problems.filter((p) => p.about === 'name').map(lineOf);
  const content = problems.filter((p) => p.about !== 'name').map(lineOf);
  if (name.length > 0) fields.file_name = name;
  if (content.length > MAX_PROBLEMS) {
    const more = content.length - MAX_PROBLEMS;
    content.splice(MAX_PROBLEMS, more, `… and ${more} more problem(s)`);
  }
  if (content.length > 0) fields.content = content;
  return fields;
}

/** The answer's counts: every entity and the practices, 0 when the file has none. */
const countsOf = (counts: Record<string, number>): Static<typeof CatalogueImportResource>['counts'] => {
  const all = { practices: counts.practices ?? 0 } as Static<typeof CatalogueImportResource>['counts'];
  for (const e of CATALOGUE_ENTITIES) all[e] = counts[e] ?? 0;
  return all;
};

/** A 422 in the error envelope, with messages per field written here (the import's own, by line). */
const refuse = (reply: FastifyReply, lang: Lang, fields: Record<string, string[]>): FastifyReply =>
  reply.code(422).send({ ...errorBody('IMPORT_INVALID', lang), errors: fields });

/**
 * The catalogue import of `npm run import`, from the back office, inside the admin routes
 * (admin token or session; an operator's).
 *
 *   POST /admin/catalogue/import    file_name, content (the file's text), dry_run
 *
 * The same checks and the same all-or-nothing upsert by slug as the command. A dry run writes
 * nothing and says what applying would change; applying answers the same summary, writes one
 * audit entry (the summary, not the file) and shows in the public catalogue at once. A file
 * with problems is a 422 IMPORT_INVALID listing them by line.
 */
export function catalogueImportAdminRoutes(
  instance: FastifyInstance,
  deps: { services: AdminDeps; now: () => number; actor: (request: FastifyRequest) => string },
): void {
  const r = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { services, now, actor } = deps;
  const db = services.admin.db;
  r.post(
    '/catalogue/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        ...op(
          'admin catalogue',
          'adminImportCatalogue',
          'Import a catalogue file (JSON or CSV), or try it first with dry_run',
          ADMIN,
          ['IMPORT_INVALID'],
        ),
        description:
          'The file of `npm run import`, uploaded as text: records are upserted by slug, all or nothing. Every ' +
          'record is checked first (fields, references to the file or to the catalogue, duplicates, usernames). ' +
          '`dry_run: true` writes nothing and answers what applying would change; `dry_run: false` applies it and ' +
          'answers the same summary. A file with problems is a 422 `IMPORT_INVALID` whose `errors.content` lists ' +
          'them as "line N: ..." in file order (at most 200, then a count), and `errors.file_name` a name that is ' +
          'not .json or .csv, or a CSV name that names no entity; nothing is written.',
        body: CatalogueImportBody,
        response: { 200: Envelope(CatalogueImportResource) },
      },
    },
    async (request, reply) => {
      const { file_name: name, content, dry_run: dryRun } = request.body;
      const actorId = actor(request);
      const result = await importCatalogueText(
        db,
        { name, text: content },
        {
          dryRun,
          now,
          onWritten: (trx, summary: CatalogueImportSummary) =>
            writeAudit(
              trx,
              actorId,
              [
                {
                  action: 'import',
                  entity: 'catalogue_import',
                  entityId: newId(),
                  before: null,
                  after: { file_name: name, counts: summary.counts, changes: summary.changes },
                },
              ],
              now(),
            ),
        },
      );
      if (!result.ok) {
        return refuse(reply, request.lang, problemFields(result.errors));
      }
      if (!dryRun) {
        // As every back-office change does (app.ts, the admin service's onChange): this process's
        // caches at once; the other processes see the bumped catalogue version within a second.
        services.catalogue.invalidate();
        services.shop.invalidate();
        services.booking.invalidate();
        services.apps.clearCache();
      }
      return {
        success: true,
        message: messages.ok[request.lang],
        data: { dry_run: result.dryRun, changes: result.changes, counts: countsOf(result.counts) },
      };
    },
  );
}
