import { PostgresAdapter } from 'kysely';
import type { Db } from '../../db/index.js';
import { AppError, type FieldProblems } from '../../http/errors.js';
import { newId } from '../../security/tokens.js';
import { parseYmd } from '../../lib/dates.js';
import type { AppointmentType } from '../booking/index.js';
import { addDays, formatHm, isoWeekday, localToUtc, offsetOf, parseHm, utcToLocal } from '../../lib/time.js';
import * as repo from './admin.repository.js';
import type { ExceptionRow, PracticeDetail, RuleRow } from './admin.repository.js';
import { VersionedCache } from '../../lib/cache.js';
import { CATALOGUE_VERSION } from '../catalogue/index.js';
import { writeAudit } from './admin-audit.js';
import { practiceResource, type PracticeResource } from './admin-practices.js';

// ---------------------------------------------------------------------------------------------
// One doctor, one timeline

const DAY_MINUTES = 24 * 60;
const WEEK_MINUTES = 7 * DAY_MINUTES;
const LAST_MINUTE = DAY_MINUTES - 1;

const mod = (n: number, m: number): number => ((n % m) + m) % m;

/**
 * A stretch of the week in UTC minutes from Monday 00:00 (it may wrap past Sunday). The three
 * Indonesian zones have no daylight saving, so a weekly rule is the same stretch every week.
 */
export interface WeekStretch {
  start: number;
  length: number;
}

/** Where a weekday's local hours lie in the UTC week. */
export function weekStretch(weekday: number, startTime: string, endTime: string, timezone: string): WeekStretch {
  const start = parseHm(startTime)!;
  return {
    start: mod((weekday - 1) * DAY_MINUTES + start - offsetOf(timezone), WEEK_MINUTES),
    length: parseHm(endTime)! - start,
  };
}

/**
 * Whether two stretches of the week share a minute (touching ends do not). Unlike comparing
 * local times, this holds across time zones: 08:00-09:00 in Jakarta is 09:00-10:00 in
 * Makassar, so a doctor cannot keep both.
 */
export function stretchesOverlap(a: WeekStretch, b: WeekStretch): boolean {
  return mod(b.start - a.start, WEEK_MINUTES) < a.length || mod(a.start - b.start, WEEK_MINUTES) < b.length;
}

// ---------------------------------------------------------------------------------------------
// Inputs, as the route schemas have checked them

export interface RuleInput {
  weekday?: number;
  start_time?: string;
  end_time?: string;
  slot_minutes?: number;
  appointment_type?: AppointmentType;
}

export interface ExceptionInput {
  date: string;
  kind: 'leave' | 'extra';
  start_time?: string;
  end_time?: string;
  slot_minutes?: number;
  appointment_type?: AppointmentType;
}

export interface RuleResource {
  id: string;
  practice_id: number;
  weekday: number;
  start_time: string;
  end_time: string;
  slot_minutes: number;
  appointment_type: string;
  created_at: string;
  updated_at: string;
}

export interface ExceptionResource {
  id: string;
  practice_id: number;
  date: string;
  kind: string;
  start_time: string | null;
  end_time: string | null;
  slot_minutes: number | null;
  appointment_type: string | null;
  created_at: string;
}

export interface ScheduleResource {
  practice: PracticeResource;
  timezone: string;
  rules: RuleResource[];
  exceptions: ExceptionResource[];
  other_rules: (RuleResource & { hospital: string; timezone: string })[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

export const ruleResource = (r: RuleRow): RuleResource => ({
  id: r.id,
  practice_id: Number(r.practice_id),
  weekday: r.weekday,
  start_time: r.start_time,
  end_time: r.end_time,
  slot_minutes: r.slot_minutes,
  appointment_type: r.appointment_type,
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
});

export const exceptionResource = (e: ExceptionRow): ExceptionResource => ({
  id: e.id,
  practice_id: Number(e.practice_id),
  date: e.date,
  kind: e.kind,
  start_time: e.start_time,
  end_time: e.end_time,
  slot_minutes: e.slot_minutes,
  appointment_type: e.appointment_type,
  created_at: iso(e.created_at),
});

const offers = (p: PracticeDetail, type: AppointmentType): boolean =>
  (type === 'call' ? p.call_price : p.reservasi_price) !== null;

/**
 * Hours from `start_time` to `end_time` that must hold at least `minutes` (one slot, or for a
 * partial leave one minute): the problems, per field, when they do not.
 */
function hoursProblems(startTime: string, endTime: string, minutes: number, problems: FieldProblems): void {
  const start = parseHm(startTime)!;
  if (start + minutes > LAST_MINUTE) {
    problems.start_time = [{ key: 'maximum', params: { limit: formatHm(LAST_MINUTE - minutes) } }];
  } else if (parseHm(endTime)! < start + minutes) {
    problems.end_time = [{ key: 'minimum', params: { limit: formatHm(start + minutes) } }];
  }
}

const invalid = (problems: FieldProblems): void => {
  if (Object.keys(problems).length > 0) throw new AppError('VALIDATION_FAILED', { fields: problems });
};

/**
 * The weekly rules and dated exceptions of practices, as the back office manages them. A
 * doctor is in one place at a time: the weekly rules and extra hours of all their practices
 * form one timeline, compared in real time (UTC), so hours at hospitals in two time zones
 * cannot overlap either. Leave never conflicts. Each change writes its audit row in its own
 * transaction; bookings already made keep their times.
 */
export class AdminSchedules {
  private readonly isPostgres: boolean;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    /** Tells this process's caches at once; other processes see the version bump. */
    private readonly onChange: () => void = () => {},
  ) {
    this.isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  /** The audit row of a schedule change, and the version bump that makes every cached slot list stale. */
  private async audited(trx: Db, actorId: string, changes: Parameters<typeof writeAudit>[2], at: number) {
    await writeAudit(trx, actorId, changes, at);
    await VersionedCache.bump(trx, CATALOGUE_VERSION);
  }

  /** Runs a schedule change in a transaction, then drops this process's cached schedules. */
  private async changing<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    const result = await this.db.transaction().execute(work);
    this.onChange();
    return result;
  }

  /** The practice (404 when there is none), with its doctor's timeline locked on PostgreSQL. */
  private async practice(trx: Db, id: number): Promise<PracticeDetail> {
    const p = await repo.findPractice(trx, id);
    if (p === undefined) throw new AppError('PRACTICE_NOT_FOUND');
    if (this.isPostgres) await repo.lockDoctor(trx, p.doctor_id);
    return p;
  }

  /** Extra hours before this date are over and cannot conflict with anything any more. */
  private oldestRelevantDate(): string {
    // Yesterday in Jakarta, the westernmost zone, is before today in every zone.
    return addDays(utcToLocal(this.now(), 'Asia/Jakarta').date, -1);
  }

  /** 422 on start_time when weekly hours would overlap the doctor's other hours. */
  private async assertWeeklyFree(trx: Db, p: PracticeDetail, rule: RuleRow, exceptRuleId?: string): Promise<void> {
    const mine = weekStretch(rule.weekday, rule.start_time, rule.end_time, p.timezone);
    const rules = await repo.rulesOfDoctor(trx, p.doctor_id);
    const clash = rules.some(
      (r) =>
        r.id !== exceptRuleId && stretchesOverlap(mine, weekStretch(r.weekday, r.start_time, r.end_time, r.timezone)),
    );
    const extras = clash ? [] : await repo.extrasOfDoctor(trx, p.doctor_id, this.oldestRelevantDate());
    const clashExtra = extras.some((e) =>
      stretchesOverlap(mine, weekStretch(isoWeekday(e.date), e.start_time!, e.end_time!, e.timezone)),
    );
    if (clash || clashExtra) throw AppError.field('start_time', 'scheduleOverlap');
  }

  /** 422 on start_time when extra hours on a date would overlap the doctor's other hours. */
  private async assertExtraFree(trx: Db, p: PracticeDetail, e: ExceptionRow): Promise<void> {
    const weekly = weekStretch(isoWeekday(e.date), e.start_time!, e.end_time!, p.timezone);
    const rules = await repo.rulesOfDoctor(trx, p.doctor_id);
    if (rules.some((r) => stretchesOverlap(weekly, weekStretch(r.weekday, r.start_time, r.end_time, r.timezone)))) {
      throw AppError.field('start_time', 'scheduleOverlap');
    }
    // Other extra hours: real instants, on the dates around (the zones are at most 2 hours apart).
    const from = localToUtc(e.date, parseHm(e.start_time!)!, p.timezone);
    const to = localToUtc(e.date, parseHm(e.end_time!)!, p.timezone);
    const extras = await repo.extrasOfDoctor(trx, p.doctor_id, addDays(e.date, -1), addDays(e.date, 1));
    const clash = extras.some((x) => {
      const xFrom = localToUtc(x.date, parseHm(x.start_time!)!, x.timezone);
      const xTo = localToUtc(x.date, parseHm(x.end_time!)!, x.timezone);
      return xFrom < to && from < xTo;
    });
    if (clash) throw AppError.field('start_time', 'scheduleOverlap');
  }

  /** A rule's checks that the schema cannot make: the type offered, at least one slot. */
  private static ruleProblems(p: PracticeDetail, rule: RuleRow, typeGiven: boolean): void {
    const problems: FieldProblems = {};
    if (typeGiven && !offers(p, rule.appointment_type)) problems.appointment_type = [{ key: 'typeNotOffered' }];
    hoursProblems(rule.start_time, rule.end_time, rule.slot_minutes, problems);
    invalid(problems);
  }

  async schedule(practiceId: number, range: { from?: string; to?: string }): Promise<ScheduleResource> {
    const p = await repo.findPractice(this.db, practiceId);
    if (p === undefined) throw new AppError('PRACTICE_NOT_FOUND');
    const [rules, exceptions, doctorRules] = await Promise.all([
      repo.rulesOfPractice(this.db, practiceId),
      repo.exceptionsOfPractice(this.db, practiceId, range),
      repo.rulesOfDoctor(this.db, p.doctor_id),
    ]);
    return {
      practice: practiceResource(p),
      timezone: p.timezone,
      rules: rules.map(ruleResource),
      exceptions: exceptions.map(exceptionResource),
      other_rules: doctorRules
        .filter((r) => Number(r.practice_id) !== practiceId)
        .map((r) => ({ ...ruleResource(r), hospital: r.hospital, timezone: r.timezone })),
    };
  }

  async createRule(actorId: string, practiceId: number, input: Required<RuleInput>): Promise<RuleResource> {
    return this.changing(async (trx) => {
      const p = await this.practice(trx, practiceId);
      const now = this.now();
      const rule: RuleRow = {
        id: newId(),
        practice_id: practiceId,
        weekday: input.weekday,
        start_time: input.start_time,
        end_time: input.end_time,
        slot_minutes: input.slot_minutes,
        appointment_type: input.appointment_type,
        created_at: now,
        updated_at: now,
      };
      AdminSchedules.ruleProblems(p, rule, true);
      await this.assertWeeklyFree(trx, p, rule);
      await repo.insertRule(trx, rule);
      await this.audited(
        trx,
        actorId,
        [{ action: 'create', entity: 'schedule_rule', entityId: rule.id, before: null, after: rule }],
        now,
      );
      return ruleResource(rule);
    });
  }

  /** Any subset of a rule's fields; the rule as it would then be is checked as a whole. */
  async updateRule(actorId: string, practiceId: number, ruleId: string, input: RuleInput): Promise<RuleResource> {
    return this.changing(async (trx) => {
      const p = await this.practice(trx, practiceId);
      const before = await repo.findRule(trx, practiceId, ruleId);
      if (before === undefined) throw new AppError('NOT_FOUND');
      const fields = ['weekday', 'start_time', 'end_time', 'slot_minutes', 'appointment_type'] as const;
      const merged: RuleRow = { ...before };
      for (const field of fields) {
        if (input[field] !== undefined) Object.assign(merged, { [field]: input[field] });
      }
      if (fields.every((f) => merged[f] === before[f])) return ruleResource(before);
      // A type no longer offered is refused only when the change names it.
      AdminSchedules.ruleProblems(p, merged, input.appointment_type !== undefined);
      await this.assertWeeklyFree(trx, p, merged, ruleId);
      const now = this.now();
      const after = await repo.updateRule(trx, ruleId, {
        weekday: merged.weekday,
        start_time: merged.start_time,
        end_time: merged.end_time,
        slot_minutes: merged.slot_minutes,
        appointment_type: merged.appointment_type,
        updated_at: now,
      });
      await this.audited(
        trx,
        actorId,
        [{ action: 'update', entity: 'schedule_rule', entityId: ruleId, before, after: after! }],
        now,
      );
      return ruleResource(after!);
    });
  }

  async deleteRule(actorId: string, practiceId: number, ruleId: string): Promise<void> {
    await this.changing(async (trx) => {
      await this.practice(trx, practiceId);
      const before = await repo.findRule(trx, practiceId, ruleId);
      if (before === undefined) throw new AppError('NOT_FOUND');
      await repo.deleteRule(trx, ruleId);
      await this.audited(
        trx,
        actorId,
        [{ action: 'delete', entity: 'schedule_rule', entityId: ruleId, before, after: null }],
        this.now(),
      );
    });
  }

  /**
   * Leave (no times: the whole day; with times: those hours) or extra hours (times, slot length
   * and an appointment type the practice offers, not overlapping the doctor's other hours).
   */
  async createException(
    actorId: string,
    practiceId: number,
    input: ExceptionInput,
    /** The doctor's account when a doctor marks their own leave (they may remove it later). */
    createdBy: string | null = null,
  ): Promise<ExceptionResource> {
    const problems: FieldProblems = {};
    if (parseYmd(input.date) === undefined) problems.date = [{ key: 'date' }];
    const hasStart = input.start_time !== undefined;
    const hasEnd = input.end_time !== undefined;
    if (input.kind === 'extra') {
      for (const field of ['start_time', 'end_time', 'slot_minutes', 'appointment_type'] as const) {
        if (input[field] === undefined) problems[field] = [{ key: 'required' }];
      }
    } else {
      // Leave hides every slot in its hours, of both types: it has no slot length or type.
      if (hasStart && !hasEnd) problems.end_time = [{ key: 'required' }];
      if (hasEnd && !hasStart) problems.start_time = [{ key: 'required' }];
      for (const field of ['slot_minutes', 'appointment_type'] as const) {
        if (input[field] !== undefined) problems[field] = [{ key: 'invalid' }];
      }
    }
    if (hasStart && hasEnd && problems.start_time === undefined && problems.end_time === undefined) {
      hoursProblems(
        input.start_time!,
        input.end_time!,
        input.kind === 'extra' ? (input.slot_minutes ?? 1) : 1,
        problems,
      );
    }
    invalid(problems);

    return this.changing(async (trx) => {
      const p = await this.practice(trx, practiceId);
      const now = this.now();
      const row: ExceptionRow = {
        id: newId(),
        practice_id: practiceId,
        date: input.date,
        kind: input.kind,
        start_time: input.start_time ?? null,
        end_time: input.end_time ?? null,
        slot_minutes: input.kind === 'extra' ? input.slot_minutes! : null,
        appointment_type: input.kind === 'extra' ? input.appointment_type! : null,
        created_by: createdBy,
        created_at: now,
      };
      if (row.kind === 'extra') {
        if (!offers(p, row.appointment_type!)) throw AppError.field('appointment_type', 'typeNotOffered');
        await this.assertExtraFree(trx, p, row);
      }
      await repo.insertException(trx, row);
      await this.audited(
        trx,
        actorId,
        [{ action: 'create', entity: 'schedule_exception', entityId: row.id, before: null, after: row }],
        now,
      );
      return exceptionResource(row);
    });
  }

  async deleteException(actorId: string, practiceId: number, exceptionId: string): Promise<void> {
    await this.changing(async (trx) => {
      await this.practice(trx, practiceId);
      const before = await repo.findException(trx, practiceId, exceptionId);
      if (before === undefined) throw new AppError('NOT_FOUND');
      await repo.deleteException(trx, exceptionId);
      await this.audited(
        trx,
        actorId,
        [{ action: 'delete', entity: 'schedule_exception', entityId: exceptionId, before, after: null }],
        this.now(),
      );
    });
  }
}
