import { useCallback, useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Divider from '@mui/material/Divider';
import LinearProgress from '@mui/material/LinearProgress';
import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import { act, api, messageOf, unwrap, ACTIONS, type Action, type DoctorOrderDetail } from './api';
import { DeclineDialog, FinishDialog, ProposeDialog } from './dialogs';
import { useI18n } from './i18n';
import { dateLabel, instantLabel, slotLabel } from './time';
import { StatusChip, useNotify, useRefresh } from './ui';

/** Moves that need nothing more than a tap; the others open a dialog. */
const DIRECT: readonly Action[] = ['confirm', 'accept-proposal', 'reject-proposal', 'open-room', 'start', 'missed'];
const PRIMARY: readonly Action[] = ['confirm', 'accept-proposal', 'open-room', 'start', 'finish'];

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Paper sx={{ p: 2, mt: 1.5 }} component="section" aria-label={title}>
      <Typography variant="subtitle1" component="h2" fontWeight={600} gutterBottom>
        {title}
      </Typography>
      {children}
    </Paper>
  );
}

/** One order: the patient as they allowed, their note, the history, and only the moves allowed now. */
export function OrderPage({ transactionId }: { transactionId: string }) {
  const { t, locale, historyLabel } = useI18n();
  const notify = useNotify();
  const { version, bump } = useRefresh();
  const [order, setOrder] = useState<DoctorOrderDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'decline' | 'propose' | 'finish' | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const result = await api.GET('/api/doctor-app/orders/{transaction_id}', {
        params: { path: { transaction_id: transactionId } },
      });
      setOrder(unwrap(result).data);
      setError(null);
    } catch (err) {
      setError(messageOf(err, t('network_error')));
    }
  }, [transactionId, t]);
  useEffect(() => {
    void load();
  }, [load, version]);

  const after = async () => {
    setDialog(null);
    await load();
    bump();
  };

  const run = async (action: Action) => {
    if (order === null) return;
    if (!DIRECT.includes(action)) return setDialog(action as 'decline' | 'propose' | 'finish');
    setBusy(true);
    try {
      const moved = await act(order.transaction_id, action);
      notify(t('done_action'));
      // The meeting link opens beside the workspace; the page keeps it too (below).
      if (action === 'open-room' && moved.meeting_url) window.open(moved.meeting_url, '_blank', 'noopener');
      await after();
    } catch (err) {
      notify(messageOf(err, t('network_error')), 'error');
      await load();
    } finally {
      setBusy(false);
    }
  };

  if (order === null) {
    return error === null ? <LinearProgress /> : <Alert severity="error">{error}</Alert>;
  }

  const profile = order.patient_profile;
  const actions = ACTIONS.filter((a) => order.actions.includes(a));
  return (
    <Box data-testid="order" data-status={order.status}>
      <Button startIcon={<ArrowBackIcon />} href="#/" size="small">
        {t('back')}
      </Button>
      <Paper sx={{ p: 2, mt: 1 }}>
        <Stack direction="row" justifyContent="space-between" alignItems="flex-start" spacing={1}>
          <Box>
            <Typography variant="h6" component="h1" data-testid="patient-name">
              {order.patient_account?.name ?? order.patient}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {order.transaction_id}
            </Typography>
          </Box>
          <StatusChip status={order.status} />
        </Stack>
        <Typography sx={{ mt: 1 }} data-testid="when">
          {dateLabel(order.date, locale)} · {slotLabel(order.time, order.estimate, order.timezone)}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {order.hospital} · {order.type === 'call' ? t('type_call') : t('type_reservasi')}
        </Typography>
        {order.proposed_date && order.proposed_time && (
          <Typography variant="body2" sx={{ mt: 1 }} data-testid="proposed">
            {t('proposed', {
              when: `${dateLabel(order.proposed_date, locale)} · ${slotLabel(order.proposed_time, null, order.timezone)}`,
            })}
          </Typography>
        )}
        {order.respond_before && (
          <Typography variant="body2" color="warning.main">
            ⏱ {instantLabel(order.respond_before, order.timezone, locale)}
          </Typography>
        )}
        {order.meeting_url && (
          <Link href={order.meeting_url} target="_blank" rel="noopener" sx={{ display: 'block', mt: 1 }}>
            {t('meeting')}
          </Link>
        )}
      </Paper>

      <Paper sx={{ p: 1.5, mt: 1.5 }} data-testid="actions">
        {actions.length === 0 ? (
          <Typography color="text.secondary">{t('no_actions')}</Typography>
        ) : (
          <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1 }}>
            {actions.map((a) => (
              <Button
                key={a}
                variant={PRIMARY.includes(a) ? 'contained' : 'outlined'}
                color={a === 'decline' || a === 'missed' ? 'error' : 'primary'}
                disabled={busy}
                onClick={() => void run(a)}
                data-action={a}
              >
                {t(`action_${a}`)}
              </Button>
            ))}
          </Stack>
        )}
      </Paper>

      <Section title={t('patient')}>
        {profile === null ? (
          <Typography color="text.secondary" data-testid="not-shared">
            {t('not_shared')}
          </Typography>
        ) : (
          <Box data-testid="profile">
            <Typography>
              {t('age')}: {profile.age === null ? '—' : t('years', { n: profile.age })}
            </Typography>
            <Typography>
              {t('gender')}: {profile.gender ?? '—'}
            </Typography>
            {profile.obgyn !== null && (
              <>
                <Typography sx={{ mt: 1 }} fontWeight={500}>
                  {t('obgyn')}
                </Typography>
                {Object.entries(profile.obgyn).map(([key, value]) => (
                  <Typography variant="body2" key={key}>
                    {key}: {typeof value === 'object' ? JSON.stringify(value) : String(value)}
                  </Typography>
                ))}
              </>
            )}
          </Box>
        )}
        <Divider sx={{ my: 1 }} />
        <Typography variant="subtitle2">{t('patient_note')}</Typography>
        <Typography sx={{ whiteSpace: 'pre-wrap' }} data-testid="patient-note">
          {order.note || t('no_note')}
        </Typography>
      </Section>

      {(order.decline_reason || order.consultation_note || order.diagnosis_codes.length > 0) && (
        <Section title={t('consultation_note')}>
          {order.decline_reason && (
            <Typography>
              {t('decline_reason')}: {order.decline_reason}
            </Typography>
          )}
          {order.consultation_note && (
            <Typography sx={{ whiteSpace: 'pre-wrap' }} data-testid="consultation-note">
              {order.consultation_note}
            </Typography>
          )}
          <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1, mt: 1 }}>
            {order.diagnosis_codes.map((code) => (
              <Chip key={code} label={code} size="small" />
            ))}
          </Stack>
        </Section>
      )}

      <Section title={t('history')}>
        <Box component="ol" sx={{ m: 0, pl: 2.5 }} aria-label={t('history')}>
          {order.history.map((h, i) => (
            <li key={i}>
              <Typography variant="body2">
                {instantLabel(h.at, order.timezone, locale)} · <StatusChip status={h.status} /> ·{' '}
                {historyLabel(h.action, h.by)}
              </Typography>
            </li>
          ))}
        </Box>
      </Section>

      {dialog === 'decline' && (
        <DeclineDialog
          order={order}
          onClose={() => setDialog(null)}
          onDone={() => void after()}
          onFailed={() => void load()}
        />
      )}
      {dialog === 'propose' && (
        <ProposeDialog
          order={order}
          onClose={() => setDialog(null)}
          onDone={() => void after()}
          onFailed={() => void load()}
        />
      )}
      {dialog === 'finish' && (
        <FinishDialog
          order={order}
          onClose={() => setDialog(null)}
          onDone={() => void after()}
          onFailed={() => void load()}
        />
      )}
    </Box>
  );
}
