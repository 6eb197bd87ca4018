// Small pieces shared by the screens: the snackbar, the route, the status chip and an order's row.
import { createContext, useContext, useEffect, useState } from 'react';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import ListItemButton from '@mui/material/ListItemButton';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { DoctorOrder } from './api';
import { useI18n } from './i18n';
import { dateLabel, slotLabel } from './time';

export type Severity = 'success' | 'error' | 'info';
export const NotifyContext = createContext<(message: string, severity?: Severity) => void>(() => undefined);
export const useNotify = () => useContext(NotifyContext);

/** Bumped when something may have changed an order (a notification, an action): screens reload. */
export const RefreshContext = createContext<{ version: number; bump: () => void }>({
  version: 0,
  bump: () => undefined,
});
export const useRefresh = () => useContext(RefreshContext);

/** The route is the hash (#/order/CX...): a reload or a shared link opens the same screen. */
export function useHashRoute(): string {
  const read = () => window.location.hash.replace(/^#/, '') || '/';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export const go = (route: string) => {
  window.location.hash = route;
};

/** One colour per status, the same in the agenda and the order page. */
export const STATUS_COLOURS: Record<string, string> = {
  waiting_payment: '#9e9e9e',
  waiting_doctor_confirmation: '#ef6c00',
  waiting_meeting: '#1565c0',
  reschedule_from_doctor: '#6a1b9a',
  reschedule_from_patient: '#c2185b',
  join_now: '#2e7d32',
  on_air: '#00897b',
  done: '#455a64',
  missed_meeting: '#8d6e63',
  order_cancel: '#b71c1c',
  order_failed: '#b71c1c',
  waiting_refund: '#757575',
  refunded: '#757575',
};

export function StatusChip({ status }: { status: string }) {
  const { status: label } = useI18n();
  const colour = STATUS_COLOURS[status] ?? '#757575';
  return (
    <Chip
      size="small"
      label={label(status)}
      data-status={status}
      sx={{ bgcolor: colour, color: '#fff', fontWeight: 500, maxWidth: '100%', transition: 'none' }}
    />
  );
}

/** An order in a list: when (in its zone), who, where, its status; `extra` under it. */
export function OrderRow({
  order,
  extra,
  showDate = false,
}: {
  order: DoctorOrder;
  extra?: React.ReactNode;
  showDate?: boolean;
}) {
  const { t, locale } = useI18n();
  const colour = STATUS_COLOURS[order.status] ?? '#757575';
  return (
    <ListItemButton
      component="a"
      href={`#/order/${order.transaction_id}`}
      data-order={order.transaction_id}
      sx={{ borderLeft: `4px solid ${colour}`, mb: 1, bgcolor: 'background.paper', borderRadius: 1 }}
    >
      <Box sx={{ width: '100%' }}>
        <Stack direction="row" justifyContent="space-between" alignItems="center" spacing={1}>
          <Typography variant="subtitle2" component="span">
            {showDate ? `${dateLabel(order.date, locale)} · ` : ''}
            {slotLabel(order.time, order.estimate, order.timezone)}
          </Typography>
          <StatusChip status={order.status} />
        </Stack>
        <Typography variant="body1">{order.patient_account?.name ?? order.patient}</Typography>
        <Typography variant="body2" color="text.secondary">
          {order.hospital} · {order.type === 'call' ? t('type_call') : t('type_reservasi')}
        </Typography>
        {order.proposed_date && order.proposed_time && (
          <Typography variant="body2" color="secondary">
            {t('proposed', {
              when: `${dateLabel(order.proposed_date, locale)} · ${slotLabel(order.proposed_time, null, order.timezone)}`,
            })}
          </Typography>
        )}
        {extra}
      </Box>
    </ListItemButton>
  );
}
