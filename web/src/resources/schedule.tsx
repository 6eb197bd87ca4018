import { useCallback, useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { Title, useNotify, useTranslate, Link } from 'react-admin';
import FullCalendar from '@fullcalendar/react';
import timeGridPlugin from '@fullcalendar/timegrid';
import type { EventInput } from '@fullcalendar/core';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  MenuItem,
  Stack,
  TextField,
  Typography,
  IconButton,
} from '@mui/material';
import DeleteIcon from '@mui/icons-material/Delete';
import { api, unwrap } from '../api';
import type { paths } from '../api';
import { zoneLabel } from '../format';
import { useIntlLocale, useWeekdayName } from './common';

type Schedule =
  paths['/api/admin/practices/{id}/schedule']['get']['responses'][200]['content']['application/json']['data'];
type Slot =
  paths['/api/admin/practices/{id}/slots']['get']['responses'][200]['content']['application/json']['data'][number];

/** The API's message per field, as the form shows it under each one. */
type FieldErrors = Record<string, string>;
function fieldErrors(err: unknown): { message: string; fields: FieldErrors } {
  const e = err as { message?: string; body?: { errors?: FieldErrors } };
  return { message: e.message ?? String(err), fields: e.body?.errors ?? {} };
}

const EMPTY_RULE = {
  weekday: '1',
  start_time: '08:00',
  end_time: '12:00',
  slot_minutes: '30',
  appointment_type: 'call',
};
const EMPTY_EXCEPTION = {
  date: '',
  kind: 'leave',
  start_time: '',
  end_time: '',
  slot_minutes: '',
  appointment_type: '',
};

/**
 * A practice's week: its weekly rules (blue), the doctor's rules at other practices (grey, each in
 * its own zone), dated exceptions; forms to add them, each refusal shown on its field; and the
 * slots a patient would see on a chosen day.
 */
export function SchedulePage() {
  const { id } = useParams();
  const practice = Number(id);
  const translate = useTranslate();
  const notify = useNotify();
  const locale = useIntlLocale();
  const weekday = useWeekdayName();
  const [schedule, setSchedule] = useState<Schedule>();
  const [loadError, setLoadError] = useState<string>();
  const [rule, setRule] = useState(EMPTY_RULE);
  /** The rule being changed (its id), or none: the form adds a new one. */
  const [editing, setEditing] = useState<string>();
  const [ruleErrors, setRuleErrors] = useState<FieldErrors>({});
  const [exception, setException] = useState(EMPTY_EXCEPTION);
  const [exceptionErrors, setExceptionErrors] = useState<FieldErrors>({});
  const [day, setDay] = useState('');
  const [dayType, setDayType] = useState<'call' | 'reservasi'>('call');
  const [slots, setSlots] = useState<Slot[] | undefined>();
  const [slotsError, setSlotsError] = useState<string>();

  const load = useCallback(async () => {
    try {
      const answer = unwrap(
        await api.GET('/api/admin/practices/{id}/schedule', { params: { path: { id: String(practice) } } }),
      );
      setSchedule(answer.data);
      setLoadError(undefined);
    } catch (err) {
      setLoadError((err as Error).message);
    }
  }, [practice]);
  useEffect(() => {
    void load();
  }, [load]);

  const addRule = async (event: React.FormEvent) => {
    event.preventDefault();
    const body = {
      weekday: Number(rule.weekday),
      start_time: rule.start_time,
      end_time: rule.end_time,
      slot_minutes: Number(rule.slot_minutes),
      appointment_type: rule.appointment_type as 'call' | 'reservasi',
    };
    try {
      if (editing === undefined) {
        unwrap(
          await api.POST('/api/admin/practices/{id}/schedule/rules', {
            params: { path: { id: String(practice) } },
            body,
          }),
        );
      } else {
        unwrap(
          await api.PUT('/api/admin/practices/{id}/schedule/rules/{ruleId}', {
            params: { path: { id: String(practice), ruleId: editing } },
            body,
          }),
        );
        setEditing(undefined);
      }
      setRuleErrors({});
      notify('app.schedule.saved', { type: 'success' });
      await load();
    } catch (err) {
      // What was typed stays; the API's message goes under the field it names.
      const { message, fields } = fieldErrors(err);
      setRuleErrors(fields);
      notify(message, { type: 'error' });
    }
  };

  const addException = async (event: React.FormEvent) => {
    event.preventDefault();
    const body: Record<string, string | number> = { date: exception.date, kind: exception.kind };
    for (const key of ['start_time', 'end_time', 'appointment_type'] as const) {
      if (exception[key] !== '') body[key] = exception[key];
    }
    if (exception.slot_minutes !== '') body.slot_minutes = Number(exception.slot_minutes);
    try {
      unwrap(
        await api.POST('/api/admin/practices/{id}/schedule/exceptions', {
          params: { path: { id: String(practice) } },
          body: body as never,
        }),
      );
      setExceptionErrors({});
      notify('app.schedule.saved', { type: 'success' });
      await load();
    } catch (err) {
      const { message, fields } = fieldErrors(err);
      setExceptionErrors(fields);
      notify(message, { type: 'error' });
    }
  };

  const remove = async (kind: 'rules' | 'exceptions', itemId: string) => {
    try {
      if (kind === 'rules') {
        unwrap(
          await api.DELETE('/api/admin/practices/{id}/schedule/rules/{ruleId}', {
            params: { path: { id: String(practice), ruleId: itemId } },
          }),
        );
      } else {
        unwrap(
          await api.DELETE('/api/admin/practices/{id}/schedule/exceptions/{exceptionId}', {
            params: { path: { id: String(practice), exceptionId: itemId } },
          }),
        );
      }
      notify('app.schedule.removed', { type: 'info' });
      await load();
    } catch (err) {
      notify((err as Error).message, { type: 'error' });
    }
  };

  const showSlots = async (event: React.FormEvent) => {
    event.preventDefault();
    try {
      const answer = unwrap(
        await api.GET('/api/admin/practices/{id}/slots', {
          params: { path: { id: String(practice) }, query: { date: day, type: dayType } },
        }),
      );
      setSlots(answer.data);
      setSlotsError(undefined);
    } catch (err) {
      setSlots(undefined);
      setSlotsError(fieldErrors(err).fields.date ?? (err as Error).message);
    }
  };

  if (loadError) return <Alert severity="error">{loadError}</Alert>;
  if (!schedule) return null;
  const zone = zoneLabel(schedule.timezone);
  // Weekly rules recur on their ISO weekday (FullCalendar counts Sunday as 0).
  const events: EventInput[] = [
    ...schedule.rules.map((r) => ({
      id: r.id,
      title: `${r.appointment_type} · ${r.slot_minutes}′ (${zone})`,
      daysOfWeek: [r.weekday % 7],
      startTime: r.start_time,
      endTime: r.end_time,
      color: '#1565c0',
    })),
    ...schedule.other_rules.map((r) => ({
      id: `other-${r.id}`,
      title: `${r.hospital} (${zoneLabel(r.timezone)})`,
      daysOfWeek: [r.weekday % 7],
      startTime: r.start_time,
      endTime: r.end_time,
      color: '#9e9e9e',
    })),
    ...schedule.exceptions.map((e) => ({
      id: `exception-${e.id}`,
      title: `${e.kind}${e.appointment_type ? ` · ${e.appointment_type}` : ''}`,
      start: e.start_time ? `${e.date}T${e.start_time}` : e.date,
      end: e.end_time ? `${e.date}T${e.end_time}` : undefined,
      allDay: !e.start_time,
      color: e.kind === 'leave' ? '#c62828' : '#2e7d32',
    })),
  ];

  return (
    <Box sx={{ p: 2 }}>
      <Title title={translate('app.schedule.title')} />
      <Typography variant="h5" gutterBottom>
        {translate('app.schedule.title')}:{' '}
        <Link to={`/doctors/${schedule.practice.doctor}`}>{schedule.practice.doctor}</Link> ·{' '}
        {schedule.practice.hospital_name} <Chip size="small" label={`${schedule.timezone} (${zone})`} />
      </Typography>
      <Card sx={{ mb: 2 }}>
        <CardContent>
          <FullCalendar
            plugins={[timeGridPlugin]}
            initialView="timeGridWeek"
            locale={locale}
            firstDay={1}
            allDaySlot
            slotMinTime="06:00:00"
            slotMaxTime="22:00:00"
            height="auto"
            events={events}
            headerToolbar={{ left: 'prev,next today', center: 'title', right: '' }}
          />
        </CardContent>
      </Card>
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
        <Card sx={{ flex: 1 }}>
          <CardContent>
            <Typography variant="h6">{translate('app.schedule.rules')}</Typography>
            <Box component="ul" sx={{ pl: 2 }} data-testid="rules">
              {schedule.rules.map((r) => (
                <li key={r.id}>
                  <Button
                    size="small"
                    onClick={() => {
                      setEditing(r.id);
                      setRuleErrors({});
                      setRule({
                        weekday: String(r.weekday),
                        start_time: r.start_time,
                        end_time: r.end_time,
                        slot_minutes: String(r.slot_minutes),
                        appointment_type: r.appointment_type,
                      });
                    }}
                    sx={{ textTransform: 'none', fontWeight: editing === r.id ? 'bold' : 'normal' }}
                  >
                    {weekday(r.weekday)} {r.start_time}–{r.end_time} {zone} · {r.appointment_type} · {r.slot_minutes}′
                  </Button>
                  <IconButton
                    aria-label={translate('app.schedule.remove')}
                    size="small"
                    onClick={() => remove('rules', r.id)}
                  >
                    <DeleteIcon fontSize="small" />
                  </IconButton>
                </li>
              ))}
            </Box>
            <Box component="form" onSubmit={addRule} aria-label={translate('app.schedule.add_rule')}>
              <Stack direction="row" flexWrap="wrap" gap={1}>
                <TextField
                  select
                  size="small"
                  name="weekday"
                  label={translate('app.schedule.weekday')}
                  value={rule.weekday}
                  onChange={(e) => setRule({ ...rule, weekday: e.target.value })}
                  error={!!ruleErrors.weekday}
                  helperText={ruleErrors.weekday}
                >
                  {[1, 2, 3, 4, 5, 6, 7].map((d) => (
                    <MenuItem key={d} value={String(d)}>
                      {weekday(d)}
                    </MenuItem>
                  ))}
                </TextField>
                {(['start_time', 'end_time'] as const).map((key) => (
                  <TextField
                    key={key}
                    size="small"
                    name={key}
                    type="time"
                    label={`${translate(`app.schedule.${key}`)} (${zone})`}
                    value={rule[key]}
                    onChange={(e) => setRule({ ...rule, [key]: e.target.value })}
                    error={!!ruleErrors[key]}
                    helperText={ruleErrors[key]}
                    InputLabelProps={{ shrink: true }}
                  />
                ))}
                <TextField
                  size="small"
                  name="slot_minutes"
                  type="number"
                  label={translate('app.schedule.slot_minutes')}
                  value={rule.slot_minutes}
                  onChange={(e) => setRule({ ...rule, slot_minutes: e.target.value })}
                  error={!!ruleErrors.slot_minutes}
                  helperText={ruleErrors.slot_minutes}
                />
                <TextField
                  select
                  size="small"
                  name="appointment_type"
                  label={translate('app.schedule.appointment_type')}
                  value={rule.appointment_type}
                  onChange={(e) => setRule({ ...rule, appointment_type: e.target.value })}
                  error={!!ruleErrors.appointment_type}
                  helperText={ruleErrors.appointment_type}
                >
                  <MenuItem value="call">call</MenuItem>
                  <MenuItem value="reservasi">reservasi</MenuItem>
                </TextField>
                <Button type="submit" variant="contained">
                  {translate(editing === undefined ? 'app.schedule.add_rule' : 'app.schedule.save_rule')}
                </Button>
                {editing !== undefined && (
                  <Button
                    onClick={() => {
                      setEditing(undefined);
                      setRule(EMPTY_RULE);
                      setRuleErrors({});
                    }}
                  >
                    {translate('ra.action.cancel')}
                  </Button>
                )}
              </Stack>
            </Box>
            {schedule.other_rules.length > 0 && (
              <>
                <Typography variant="subtitle1" sx={{ mt: 2 }}>
                  {translate('app.schedule.other_rules')}
                </Typography>
                <Box component="ul" sx={{ pl: 2 }}>
                  {schedule.other_rules.map((r) => (
                    <li key={r.id}>
                      {weekday(r.weekday)} {r.start_time}–{r.end_time} {zoneLabel(r.timezone)} · {r.hospital}
                    </li>
                  ))}
                </Box>
              </>
            )}
          </CardContent>
        </Card>
        <Card sx={{ flex: 1 }}>
          <CardContent>
            <Typography variant="h6">{translate('app.schedule.exceptions')}</Typography>
            <Box component="ul" sx={{ pl: 2 }} data-testid="exceptions">
              {schedule.exceptions.map((e) => (
                <li key={e.id}>
                  {e.date} {e.kind} {e.start_time ? `${e.start_time}–${e.end_time} ${zone}` : ''}
                  <IconButton
                    aria-label={translate('app.schedule.remove')}
                    size="small"
                    onClick={() => remove('exceptions', e.id)}
                  >
                    <DeleteIcon fontSize="small" />
                  </IconButton>
                </li>
              ))}
            </Box>
            <Box component="form" onSubmit={addException} aria-label={translate('app.schedule.add_exception')}>
              <Stack direction="row" flexWrap="wrap" gap={1}>
                <TextField
                  size="small"
                  name="date"
                  type="date"
                  label={translate('app.schedule.date')}
                  value={exception.date}
                  onChange={(e) => setException({ ...exception, date: e.target.value })}
                  error={!!exceptionErrors.date}
                  helperText={exceptionErrors.date}
                  InputLabelProps={{ shrink: true }}
                />
                <TextField
                  select
                  size="small"
                  name="kind"
                  label={translate('app.schedule.kind')}
                  value={exception.kind}
                  onChange={(e) => setException({ ...exception, kind: e.target.value })}
                >
                  <MenuItem value="leave">leave</MenuItem>
                  <MenuItem value="extra">extra</MenuItem>
                </TextField>
                {(['start_time', 'end_time'] as const).map((key) => (
                  <TextField
                    key={key}
                    size="small"
                    name={`exception_${key}`}
                    type="time"
                    label={`${translate(`app.schedule.${key}`)} (${zone})`}
                    value={exception[key]}
                    onChange={(e) => setException({ ...exception, [key]: e.target.value })}
                    error={!!exceptionErrors[key]}
                    helperText={exceptionErrors[key]}
                    InputLabelProps={{ shrink: true }}
                  />
                ))}
                <Button type="submit" variant="outlined">
                  {translate('app.schedule.add_exception')}
                </Button>
              </Stack>
            </Box>
          </CardContent>
        </Card>
      </Stack>
      <Card sx={{ mt: 2 }}>
        <CardContent>
          <Typography variant="h6">{translate('app.schedule.slots')}</Typography>
          <Box component="form" onSubmit={showSlots} sx={{ display: 'flex', gap: 1, my: 1 }}>
            <TextField
              size="small"
              name="slots_date"
              type="date"
              label={translate('app.schedule.date')}
              value={day}
              onChange={(e) => setDay(e.target.value)}
              error={!!slotsError}
              helperText={slotsError}
              InputLabelProps={{ shrink: true }}
            />
            <TextField
              select
              size="small"
              name="slots_type"
              label={translate('app.schedule.appointment_type')}
              value={dayType}
              onChange={(e) => setDayType(e.target.value as 'call' | 'reservasi')}
            >
              <MenuItem value="call">call</MenuItem>
              <MenuItem value="reservasi">reservasi</MenuItem>
            </TextField>
            <Button type="submit" variant="outlined">
              {translate('ra.action.show')}
            </Button>
          </Box>
          {slots && slots.length === 0 && <Typography>{translate('app.schedule.no_slots')}</Typography>}
          <Stack direction="row" flexWrap="wrap" gap={1} data-testid="slots">
            {slots?.map((s) => (
              <Chip
                key={s.time}
                label={`${s.time}–${s.end_time} ${zone}`}
                color={s.available ? 'success' : 'default'}
                variant={s.available ? 'filled' : 'outlined'}
              />
            ))}
          </Stack>
        </CardContent>
      </Card>
    </Box>
  );
}
