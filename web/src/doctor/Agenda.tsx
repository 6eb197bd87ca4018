import { useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import List from '@mui/material/List';
import ListSubheader from '@mui/material/ListSubheader';
import Paper from '@mui/material/Paper';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Typography from '@mui/material/Typography';
import { listOrders, messageOf, type DoctorOrder } from './api';
import { useI18n } from './i18n';
import { addDays, dateLabel, durationLabel, todayYmd } from './time';
import { OrderRow, go, useRefresh } from './ui';

const HOUR = 3_600_000;
/** Ticks the clock shown in "time left": once every 30 seconds is enough for minutes. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

interface Loaded {
  range: DoctorOrder[];
  toConfirm: DoctorOrder[];
  proposals: DoctorOrder[];
  today: DoctorOrder[];
}

/** My day or my week, across every practice, with what needs the doctor now at the top. */
export function Agenda({ week }: { week: boolean }) {
  const { t, lang, locale } = useI18n();
  const { version } = useRefresh();
  const now = useNow();
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const today = todayYmd();
  const to = week ? addDays(today, 6) : today;

  useEffect(() => {
    let live = true;
    // Waiting items may be on any day (a booking for next month waits for its confirmation now).
    Promise.all([
      listOrders({ from: today, to }),
      listOrders({ status: 'waiting_doctor_confirmation' }),
      listOrders({ status: 'reschedule_from_patient' }),
      week ? Promise.resolve(null) : listOrders({ from: today, to: addDays(today, 1) }),
    ])
      .then(([range, toConfirm, proposals, soon]) => {
        if (!live) return;
        setData({ range, toConfirm, proposals, today: soon ?? range });
        setError(null);
      })
      .catch((err: unknown) => live && setError(messageOf(err, t('network_error'))));
    return () => {
      live = false;
    };
  }, [today, to, week, version, t]);

  const startingSoon =
    data?.today.filter((o) => {
      if (!['waiting_meeting', 'join_now'].includes(o.status)) return false;
      const startsIn = Date.parse(o.start_at) - now;
      return startsIn > -HOUR / 4 && startsIn <= HOUR;
    }) ?? [];
  const needs = (data?.toConfirm.length ?? 0) + (data?.proposals.length ?? 0) + startingSoon.length;

  const deadline = (o: DoctorOrder) => {
    if (!o.respond_before) return null;
    const left = Date.parse(o.respond_before) - now;
    return (
      <Typography variant="body2" color={left < HOUR ? 'error' : 'warning.main'} data-testid="time-left">
        {left > 0 ? t('time_left', { time: durationLabel(left, lang) }) : t('overdue')}
      </Typography>
    );
  };

  // The range's orders by their own local date (each in its hospital's zone).
  const days = new Map<string, DoctorOrder[]>();
  for (const order of data?.range ?? []) days.set(order.date, [...(days.get(order.date) ?? []), order]);

  return (
    <Box>
      <Tabs
        value={week ? 'week' : 'day'}
        onChange={(_, v: string) => go(v === 'week' ? '/week' : '/')}
        variant="fullWidth"
      >
        <Tab value="day" label={t('day')} />
        <Tab value="week" label={t('week')} />
      </Tabs>
      {data === null && error === null && <LinearProgress sx={{ mt: 1 }} />}
      {error !== null && (
        <Alert severity="error" sx={{ mt: 1 }}>
          {error}
        </Alert>
      )}
      {data !== null && (
        <>
          <Paper sx={{ mt: 1.5, p: 1, bgcolor: needs > 0 ? '#fff8e1' : 'background.paper' }} data-testid="needs-you">
            <Typography variant="h6" component="h2" sx={{ px: 1 }}>
              {t('needs_you')}
            </Typography>
            {needs === 0 && (
              <Typography sx={{ px: 1, pb: 1 }} color="text.secondary">
                {t('nothing_needs_you')}
              </Typography>
            )}
            {data.toConfirm.length > 0 && (
              <List
                dense
                subheader={<ListSubheader disableSticky>{t('to_confirm')}</ListSubheader>}
                data-testid="to-confirm"
              >
                {data.toConfirm.map((o) => (
                  <OrderRow key={o.transaction_id} order={o} showDate extra={deadline(o)} />
                ))}
              </List>
            )}
            {data.proposals.length > 0 && (
              <List
                dense
                subheader={<ListSubheader disableSticky>{t('proposals')}</ListSubheader>}
                data-testid="proposals"
              >
                {data.proposals.map((o) => (
                  <OrderRow key={o.transaction_id} order={o} showDate extra={deadline(o)} />
                ))}
              </List>
            )}
            {startingSoon.length > 0 && (
              <List
                dense
                subheader={<ListSubheader disableSticky>{t('starting_soon')}</ListSubheader>}
                data-testid="starting-soon"
              >
                {startingSoon.map((o) => (
                  <OrderRow
                    key={o.transaction_id}
                    order={o}
                    extra={
                      <Typography variant="body2" color="success.main">
                        {t('starts_in', { time: durationLabel(Date.parse(o.start_at) - now, lang) })}
                      </Typography>
                    }
                  />
                ))}
              </List>
            )}
          </Paper>
          <Box sx={{ mt: 2 }} data-testid="agenda">
            {days.size === 0 && (
              <Typography color="text.secondary" sx={{ p: 1 }}>
                {t('no_orders')}
              </Typography>
            )}
            {[...days.entries()].map(([day, orders]) => (
              <List
                key={day}
                dense
                subheader={
                  <ListSubheader disableSticky sx={{ bgcolor: 'transparent' }}>
                    {dateLabel(day, locale)}
                  </ListSubheader>
                }
              >
                {orders.map((o) => (
                  <OrderRow key={o.transaction_id} order={o} />
                ))}
              </List>
            ))}
          </Box>
        </>
      )}
    </Box>
  );
}
