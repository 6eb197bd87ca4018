import { useCallback, useEffect, useState, type FormEvent } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControlLabel from '@mui/material/FormControlLabel';
import IconButton from '@mui/material/IconButton';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import DeleteIcon from '@mui/icons-material/Delete';
import { zoneLabel } from '../format';
import { api, messageOf, unwrap, type DoctorOrder, type Leave, type Practice } from './api';
import { ProposeDialog } from './dialogs';
import { useI18n } from './i18n';
import { addDays, dateLabel, todayYmd } from './time';
import { OrderRow, useNotify, useRefresh } from './ui';

/** The orders falling in a leave, each with its own "propose a new time". */
function Affected({ orders, onMoved }: { orders: DoctorOrder[]; onMoved: () => void }) {
  const { t } = useI18n();
  const [proposing, setProposing] = useState<DoctorOrder | null>(null);
  return (
    <Box data-testid="affected">
      <Typography variant="subtitle1" component="h3" fontWeight={600}>
        {t('affected')}
      </Typography>
      {orders.length === 0 ? (
        <Typography color="text.secondary">{t('affected_none')}</Typography>
      ) : (
        <List dense>
          {orders.map((o) => (
            <OrderRow
              key={o.transaction_id}
              order={o}
              showDate
              extra={
                o.actions.includes('propose') ? (
                  <Button
                    size="small"
                    variant="outlined"
                    sx={{ mt: 1 }}
                    data-action="propose"
                    onClick={(e) => {
                      // The row is a link to the order: this button stays on the leave page.
                      e.preventDefault();
                      e.stopPropagation();
                      setProposing(o);
                    }}
                  >
                    {t('action_propose')}
                  </Button>
                ) : undefined
              }
            />
          ))}
        </List>
      )}
      {proposing !== null && (
        <ProposeDialog
          order={proposing}
          onClose={() => setProposing(null)}
          onDone={() => {
            setProposing(null);
            onMoved();
          }}
          onFailed={onMoved}
        />
      )}
    </Box>
  );
}

/** Leave at a practice (a day, or hours of it), where the hospital allows doctors to set it. */
export function LeavePage() {
  const { t, locale } = useI18n();
  const notify = useNotify();
  const { version, bump } = useRefresh();
  const [practices, setPractices] = useState<Practice[] | null>(null);
  const [leaves, setLeaves] = useState<Leave[]>([]);
  const [error, setError] = useState<string | null>(null);
  // The form: kept as typed when the API refuses it.
  const [practiceId, setPracticeId] = useState<number | ''>('');
  const [date, setDate] = useState(todayYmd());
  const [wholeDay, setWholeDay] = useState(true);
  const [from, setFrom] = useState('08:00');
  const [to, setTo] = useState('12:00');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  // The leave whose orders are listed (the one just added, or one tapped) and those orders.
  const [shown, setShown] = useState<{ leave: Leave; orders: DoctorOrder[] } | null>(null);

  const load = useCallback(async () => {
    try {
      const today = todayYmd();
      const [p, l] = await Promise.all([
        api.GET('/api/doctor-app/practices').then((r) => unwrap(r).data),
        api
          .GET('/api/doctor-app/leave', { params: { query: { from: today, to: addDays(today, 180) } } })
          .then((r) => unwrap(r).data),
      ]);
      setPractices(p);
      setLeaves(l);
      setPracticeId((current) => (current === '' ? (p.find((x) => x.leave_allowed)?.id ?? '') : current));
    } catch (err) {
      setError(messageOf(err, t('network_error')));
    }
  }, [t]);
  useEffect(() => {
    void load();
  }, [load, version]);

  const ordersOf = async (leave: Leave) => {
    try {
      const result = await api.GET('/api/doctor-app/leave/{id}/orders', { params: { path: { id: leave.id } } });
      setShown({ leave, orders: unwrap(result).data });
    } catch (err) {
      notify(messageOf(err, t('network_error')), 'error');
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (practiceId === '') return;
    setBusy(true);
    setFieldErrors({});
    try {
      const result = await api.POST('/api/doctor-app/leave', {
        body: { practice_id: practiceId, date, ...(wholeDay ? {} : { start_time: from, end_time: to }) },
      });
      const answer = unwrap(result).data;
      notify(t('leave_saved'));
      setShown({ leave: answer.leave, orders: answer.affected_orders });
      await load();
      bump();
    } catch (err) {
      if (err instanceof Error && 'fields' in err) setFieldErrors((err as { fields: Record<string, string[]> }).fields);
      notify(messageOf(err, t('network_error')), 'error');
    } finally {
      setBusy(false);
    }
  };

  const remove = async (leave: Leave) => {
    try {
      unwrap(await api.DELETE('/api/doctor-app/leave/{id}', { params: { path: { id: leave.id } } }));
      notify(t('deleted'));
      if (shown?.leave.id === leave.id) setShown(null);
      await load();
      bump();
    } catch (err) {
      notify(messageOf(err, t('network_error')), 'error');
    }
  };

  const allowed = practices?.filter((p) => p.leave_allowed) ?? [];
  const fieldError = (name: string) => fieldErrors[name]?.[0];
  const practiceName = (id: number) => practices?.find((p) => p.id === id)?.hospital.name;

  return (
    <Box>
      <Typography variant="h6" component="h1" sx={{ px: 0.5 }}>
        {t('leave_title')}
      </Typography>
      {error !== null && <Alert severity="error">{error}</Alert>}
      {practices !== null && allowed.length === 0 && (
        <Alert severity="info" sx={{ mt: 1 }} data-testid="leave-not-allowed">
          {t('leave_not_allowed')}
        </Alert>
      )}
      {allowed.length > 0 && (
        <Paper component="form" onSubmit={submit} sx={{ p: 2, mt: 1 }} aria-label={t('leave_add')}>
          <TextField
            select
            name="practice_id"
            label={t('practice')}
            value={practiceId}
            onChange={(e) => setPracticeId(Number(e.target.value))}
            error={fieldError('practice_id') !== undefined}
            helperText={fieldError('practice_id')}
            fullWidth
            margin="dense"
          >
            {allowed.map((p) => (
              <MenuItem key={p.id} value={p.id}>
                {p.hospital.name} ({zoneLabel(p.timezone)})
              </MenuItem>
            ))}
          </TextField>
          <TextField
            name="leave_date"
            type="date"
            label={t('date')}
            value={date}
            onChange={(e) => setDate(e.target.value)}
            error={fieldError('date') !== undefined}
            helperText={fieldError('date')}
            slotProps={{ inputLabel: { shrink: true } }}
            fullWidth
            margin="dense"
          />
          <FormControlLabel
            control={<Switch checked={wholeDay} onChange={(e) => setWholeDay(e.target.checked)} name="whole_day" />}
            label={t('whole_day')}
          />
          {!wholeDay && (
            <Stack direction="row" spacing={1}>
              <TextField
                name="start_time"
                type="time"
                label={t('from')}
                value={from}
                onChange={(e) => setFrom(e.target.value)}
                error={fieldError('start_time') !== undefined}
                helperText={fieldError('start_time')}
                slotProps={{ inputLabel: { shrink: true } }}
                fullWidth
                margin="dense"
              />
              <TextField
                name="end_time"
                type="time"
                label={t('to')}
                value={to}
                onChange={(e) => setTo(e.target.value)}
                error={fieldError('end_time') !== undefined}
                helperText={fieldError('end_time')}
                slotProps={{ inputLabel: { shrink: true } }}
                fullWidth
                margin="dense"
              />
            </Stack>
          )}
          <Button type="submit" variant="contained" fullWidth disabled={busy} sx={{ mt: 1 }}>
            {t('leave_add')}
          </Button>
        </Paper>
      )}

      {shown !== null && (
        <Paper sx={{ p: 2, mt: 1.5 }}>
          <Affected orders={shown.orders} onMoved={() => void ordersOf(shown.leave).then(bump)} />
        </Paper>
      )}

      <Paper sx={{ mt: 1.5 }}>
        {leaves.length === 0 ? (
          <Typography color="text.secondary" sx={{ p: 2 }}>
            {t('leave_none')}
          </Typography>
        ) : (
          <List data-testid="leaves">
            {leaves.map((l) => (
              <ListItem
                key={l.id}
                data-leave={l.id}
                secondaryAction={
                  // The hospital's own leave of the doctor is theirs to remove, not the doctor's.
                  l.mine ? (
                    <IconButton edge="end" aria-label={t('delete')} onClick={() => void remove(l)}>
                      <DeleteIcon />
                    </IconButton>
                  ) : undefined
                }
              >
                <ListItemText
                  primary={`${dateLabel(l.date, locale)} · ${
                    l.start_time && l.end_time
                      ? `${l.start_time}–${l.end_time} ${zoneLabel(l.timezone)}`
                      : t('whole_day')
                  }`}
                  secondary={
                    <>
                      {practiceName(l.practice_id) ?? l.hospital}
                      {l.mine ? '' : ` · ${t('leave_by_hospital')}`}{' '}
                      <Button size="small" onClick={() => void ordersOf(l)}>
                        {t('show_affected')}
                      </Button>
                    </>
                  }
                  slotProps={{ secondary: { component: 'div' } }}
                />
              </ListItem>
            ))}
          </List>
        )}
      </Paper>
    </Box>
  );
}
