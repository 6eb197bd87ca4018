import { lazyRequire } from '../../lazy.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../http/errors.js';
import { paginate, type PageMeta, type PageRequest } from '../../http/pagination.js';
import { MiB } from '../../sizes.js';
import { VersionedCache, type VersionFeed } from '../../lib/cache.js';
import * as repo from './catalogue.repository.js';

export const CATALOGUE_VERSION = 'catalogue';

export const imagePath = (imageId: string): string => `/files/images/${imageId}.jpg`;

export interface PracticeResource {
  doctor_has_hospital_id: number;
  /** The same number: current apps read `hospital[0].id`. */
  id: number;
  name: string;
  slug: string;
  city: string;
  timezone: string;
  appointment_types: ('call' | 'reservasi')[];
  prices: { call: number | null; reservasi: number | null };
}

export interface DoctorResource {
  slug: string;
  username: string;
  name: string;
  thumb: string | null;
  speciality: string;
  speciality_slug: string;
  about: string | null;
  experience_years: number;
  hospital: PracticeResource[];
}

export interface SpecialityResource {
  slug: string;
  name: string;
  description: string | null;
}

export interface HospitalResource {
  slug: string;
  name: string;
  address: string | null;
  city: string;
  province: string | null;
  timezone: string;
  phone: string | null;
  description: string | null;
  thumb: string | null;
}

export interface ArticleSummary {
  slug: string;
  title: string;
  excerpt: string | null;
  author: string | null;
  thumb: string | null;
  published_at: string;
}

export interface ArticleResource extends ArticleSummary {
  body: string;
}

/** Who is asking: the app key's hospital scope, and the origin image URLs are built on. */
export interface Viewer {
  scope: string[] | null;
  baseUrl: string;
}

export interface Page<T> {
  data: T[];
  meta: PageMeta;
}

const loadSanitizeHtml = lazyRequire<typeof import('sanitize-html')>('sanitize-html');

/** Article bodies keep text structure, links and images; no scripts, styles or handlers. */
export function sanitizeArticleHtml(html: string): string {
  const sanitizeHtml = loadSanitizeHtml();
  return sanitizeHtml(html, {
    allowedTags: [
      'p',
      'br',
      'h2',
      'h3',
      'h4',
      'strong',
      'em',
      'b',
      'i',
      'u',
      'ul',
      'ol',
      'li',
      'blockquote',
      'a',
      'img',
    ],
    allowedAttributes: { a: ['href', 'title', 'rel'], img: ['src', 'alt'] },
    allowedSchemes: ['https', 'http', 'mailto'],
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener nofollow' }) },
  });
}

const scopeKey = (viewer: Viewer): string => `${viewer.baseUrl}|${viewer.scope?.join(',') ?? '*'}`;

/**
 * The catalogue as patients see it. Lists are cached per catalogue version: the ordered ids of
 * a list once, each resource once, so page 900 costs what page 1 costs and no request counts rows.
 */
export class CatalogueService {
  private readonly cache: VersionedCache;
  /** Whole answers are larger than resources: fewer of them, so made-up pages or hosts stay cheap. */
  private readonly bodies: VersionedCache;

  constructor(
    private readonly db: Db,
    options: { cacheTtlMs: number; now?: () => number; versions?: VersionFeed },
  ) {
    // Bounds (docs/operations.md, Memory bounds): resources 64 MiB / 50,000 entries, whole answers 32 MiB / 2,000.
    const { cacheTtlMs, now, versions } = options;
    this.cache = new VersionedCache(db, CATALOGUE_VERSION, cacheTtlMs, 50_000, now, 64 * MiB, versions);
    this.bodies = new VersionedCache(db, CATALOGUE_VERSION, cacheTtlMs, 2_000, now, 32 * MiB, versions);
  }

  /** What this service's caches hold now: entries and bytes, resources and answers together. */
  cacheSize(): { entries: number; bytes: number } {
    const [a, b] = [this.cache.size, this.bodies.size];
    return { entries: a.entries + b.entries, bytes: a.bytes + b.bytes };
  }

  async listDoctors(
    viewer: Viewer,
    filter: Omit<repo.DoctorFilter, 'scope'>,
    page: PageRequest,
  ): Promise<Page<DoctorResource>> {
    const f: repo.DoctorFilter = { scope: viewer.scope, ...filter };
    const key = `doctors|${scopeKey(viewer)}|${f.name ?? ''}|${f.speciality ?? ''}|${f.hospital ?? ''}`;
    const ids = await this.cache.get(key, () => repo.listDoctorIds(this.db, f));
    const { data, meta } = paginate(ids, page);
    return { data: await this.doctorResources(viewer, data), meta };
  }

  async showDoctor(viewer: Viewer, slug: string): Promise<DoctorResource> {
    const id = await this.cache.get(
      `doctor-slug|${slug}`,
      async () => (await repo.doctorBySlug(this.db, slug))?.id ?? null,
    );
    const [doctor] = id === null ? [] : await this.doctorResources(viewer, [id]);
    // A doctor with no practice the app may show is, for that app, not there.
    if (doctor === undefined || doctor.hospital.length === 0) throw new AppError('DOCTOR_NOT_FOUND');
    return doctor;
  }

  private async doctorResources(viewer: Viewer, ids: readonly string[]): Promise<DoctorResource[]> {
    const prefix = `doctor|${scopeKey(viewer)}|`;
    const found = await this.cache.getMany<DoctorResource>(
      ids.map((id) => prefix + id),
      async (missing) => {
        const missingIds = missing.map((k) => k.slice(prefix.length));
        const [rows, practices] = await Promise.all([
          repo.doctorsByIds(this.db, missingIds),
          repo.practicesOfDoctors(this.db, missingIds, viewer.scope),
        ]);
        const byDoctor = new Map<string, PracticeResource[]>();
        for (const p of practices) {
          const list = byDoctor.get(p.doctor_id) ?? [];
          list.push({
            doctor_has_hospital_id: p.id,
            id: p.id,
            name: p.hospital_name,
            slug: p.hospital_slug,
            city: p.hospital_city,
            timezone: p.hospital_timezone,
            appointment_types: [
              ...(p.call_price !== null ? (['call'] as const) : []),
              ...(p.reservasi_price !== null ? (['reservasi'] as const) : []),
            ],
            prices: { call: p.call_price, reservasi: p.reservasi_price },
          });
          byDoctor.set(p.doctor_id, list);
        }
        return new Map(
          rows.map((r) => [
            prefix + r.id,
            {
              slug: r.slug,
              username: r.username,
              name: r.name,
              thumb: r.image_id === null ? null : viewer.baseUrl + imagePath(r.image_id),
              speciality: r.speciality_name,
              speciality_slug: r.speciality_slug,
              about: r.about,
              experience_years: r.experience_years,
              hospital: byDoctor.get(r.id) ?? [],
            },
          ]),
        );
      },
    );
    return ids.map((id) => found.get(prefix + id)).filter((d): d is DoctorResource => d !== undefined);
  }

  async listSpecialities(): Promise<SpecialityResource[]> {
    return this.cache.get('specialities', async () =>
      (await repo.listSpecialities(this.db)).map((s) => ({ slug: s.slug, name: s.name, description: s.description })),
    );
  }

  async listHospitals(viewer: Viewer): Promise<HospitalResource[]> {
    return this.cache.get(`hospitals|${scopeKey(viewer)}`, async () =>
      (await repo.listHospitals(this.db, viewer.scope)).map((h) => ({
        slug: h.slug,
        name: h.name,
        address: h.address,
        city: h.city,
        province: h.province,
        timezone: h.timezone,
        phone: h.phone,
        description: h.description,
        thumb: h.image_id === null ? null : viewer.baseUrl + imagePath(h.image_id),
      })),
    );
  }

  async showHospital(viewer: Viewer, slug: string): Promise<HospitalResource & { doctors: DoctorResource[] }> {
    const hospital = (await this.listHospitals(viewer)).find((h) => h.slug === slug);
    if (hospital === undefined) throw new AppError('HOSPITAL_NOT_FOUND');
    const ids = await this.cache.get(`doctors|${scopeKey(viewer)}|||${slug}`, () =>
      repo.listDoctorIds(this.db, { scope: viewer.scope, hospital: slug }),
    );
    return { ...hospital, doctors: await this.doctorResources(viewer, ids) };
  }

  async listArticles(viewer: Viewer): Promise<ArticleSummary[]> {
    return this.cache.get(`articles|${viewer.baseUrl}`, async () =>
      (await repo.listArticles(this.db)).map((a) => ({
        slug: a.slug,
        title: a.title,
        excerpt: a.excerpt,
        author: a.author,
        thumb: a.image_id === null ? null : viewer.baseUrl + imagePath(a.image_id),
        published_at: new Date(a.published_at!).toISOString(),
      })),
    );
  }

  async showArticle(viewer: Viewer, slug: string): Promise<ArticleResource> {
    const article = await this.cache.get(`article|${viewer.baseUrl}|${slug}`, async () => {
      const a = await repo.articleBySlug(this.db, slug);
      if (a === undefined) return null;
      return {
        slug: a.slug,
        title: a.title,
        excerpt: a.excerpt,
        author: a.author,
        thumb: a.image_id === null ? null : viewer.baseUrl + imagePath(a.image_id),
        published_at: new Date(a.published_at!).toISOString(),
        body: a.body_html,
      };
    });
    if (article === null) throw new AppError('ARTICLE_NOT_FOUND');
    return article;
  }

  /**
   * A whole serialised answer, cached under this catalogue version: a repeated request then
   * costs a map lookup, not a page build and a serialisation.
   */
  cachedBody(key: string, build: () => Promise<string>): Promise<string> {
    return this.bodies.get(key, build);
  }

  /** After a change made by this process: show it here at once, not after the next check. */
  invalidate(): void {
    this.cache.invalidate();
    this.bodies.invalidate();
  }
}
