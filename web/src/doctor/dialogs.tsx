// The actions that ask for something first. A refusal from the API shows in the snackbar and the
// dialog stays open with what was typed; only a success closes it.
import { useEffect, useState, type KeyboardEvent } from 'react';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { zoneLabel } from '../format';
import { act, freeSlots, messageOf, type DoctorOrder, type FreeSlot } from './api';
import { useI18n } from './i18n';
import { todayYmd } from './time';
import { useNotify } from './ui';

type Done = (order: DoctorOrder) => void;
interface DialogProps {
  order: DoctorOrder;
  onClose: () => void;
  onDone: Done;
  /** After a refusal: the page reloads the order (its status may have moved), the dialog stays. */
  onFailed?: () => void;
}

/** Runs one move; tells the API's refusal and keeps the dialog open. */
function useSubmit(onDone: Done, onFailed?: () => void) {
  const notify = useNotify();
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const submit = async (run: () => Promise<DoctorOrder>) => {
    setBusy(true);
    try {
      const order = await run();
      notify(t('done_action'));
      onDone(order);
    } catch (err) {
      notify(messageOf(err, t('network_error')), 'error');
      onFailed?.();
    } finally {
      setBusy(false);
    }
  };
  return { busy, submit };
}

export function DeclineDialog({ order, onClose, onDone, onFailed }: DialogProps) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const { busy, submit } = useSubmit(onDone, onFailed);
  const missing = reason.trim() === '';
  return (
    <Dialog open onClose={onClose} fullWidth aria-labelledby="decline-title">
      <DialogTitle id="decline-title">{t('action_decline')}</DialogTitle>
      <DialogContent>
        <TextField
          name="reason"
          label={t('decline_reason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          onBlur={() => setTouched(true)}
          error={touched && missing}
          helperText={touched && missing ? t('reason_required') : `${reason.length}/500`}
          slotProps={{ htmlInput: { maxLength: 500 } }}
          multiline
          minRows={3}
          fullWidth
          required
          margin="dense"
          autoFocus
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('cancel')}</Button>
        <Button
          variant="contained"
          color="error"
          disabled={busy}
          onClick={() => {
            setTouched(true);
            if (!missing) void submit(() => act(order.transaction_id, 'decline', { reason: reason.trim() }));
          }}
        >
          {t('action_decline')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** A date, then the doctor's free slots at the order's practice that day: one is proposed. */
export function ProposeDialog({ order, onClose, onDone, onFailed }: DialogProps) {
  const { t } = useI18n();
  const notify = useNotify();
  const [date, setDate] = useState(() => (order.date >= todayYmd() ? order.date : todayYmd()));
  const [slots, setSlots] = useState<FreeSlot[] | null>(null);
  const [time, setTime] = useState<string | null>(null);
  const { busy, submit } = useSubmit(onDone, onFailed);

  useEffect(() => {
    let live = true;
    setSlots(null);
    setTime(null);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return;
    freeSlots(order.transaction_id, date)
      .then((found) => live && setSlots(found))
      .catch((err: unknown) => {
        if (!live) return;
        setSlots([]);
        notify(messageOf(err, t('network_error')), 'error');
      });
    return () => {
      live = false;
    };
  }, [date, order.transaction_id, notify, t]);

  return (
    <Dialog open onClose={onClose} fullWidth aria-labelledby="propose-title">
      <DialogTitle id="propose-title">{t('action_propose')}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="text.secondary" gutterBottom>
          {order.hospital} · {zoneLabel(order.timezone)}
        </Typography>
        <TextField
          name="propose_date"
          type="date"
          label={t('date')}
          value={date}
          onChange={(e) => setDate(e.target.value)}
          slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: todayYmd() } }}
          fullWidth
          margin="dense"
        />
        <Typography variant="subtitle2" sx={{ mt: 1 }}>
          {t('free_slots')}
        </Typography>
        {slots === null ? (
          <CircularProgress size={24} sx={{ m: 1 }} />
        ) : slots.length === 0 ? (
          <Typography color="text.secondary">{t('no_slots')}</Typography>
        ) : (
          <ToggleButtonGroup
            exclusive
            value={time}
            onChange={(_, value: string | null) => setTime(value)}
            aria-label={t('free_slots')}
            sx={{ flexWrap: 'wrap', gap: 1, mt: 1 }}
            data-testid="free-slots"
          >
            {slots.map((s) => (
              <ToggleButton
                key={s.time}
                value={s.time}
                size="small"
                sx={{ border: '1px solid rgba(0,0,0,0.2) !important', borderRadius: '4px !important' }}
              >
                {s.time}–{s.end_time}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('cancel')}</Button>
        <Button
          variant="contained"
          disabled={busy || time === null}
          onClick={() => time !== null && void submit(() => act(order.transaction_id, 'propose', { date, time }))}
        >
          {t('send')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * ICD-10 as the API checks it: a letter, a digit, a digit or letter, then optionally a dot and up
 * to four more (J06.9, I10, C4A.0, S72.001).
 */
export const ICD10 = /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/;
const MAX_CODES = 10;

export function FinishDialog({ order, onClose, onDone, onFailed }: DialogProps) {
  const { t } = useI18n();
  const [note, setNote] = useState('');
  const [codes, setCodes] = useState<string[]>([]);
  const [typing, setTyping] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const { busy, submit } = useSubmit(onDone, onFailed);
  const missing = note.trim() === '';

  /** Adds what is typed as a chip; false when it is not a code. */
  const addTyped = (): string[] | null => {
    const code = typing.trim().toUpperCase();
    if (code === '') return codes;
    if (!ICD10.test(code)) {
      setCodeError(t('code_invalid', { code }));
      return null;
    }
    if (codes.length >= MAX_CODES && !codes.includes(code)) {
      setCodeError(t('too_many_codes'));
      return null;
    }
    const next = codes.includes(code) ? codes : [...codes, code];
    setCodes(next);
    setTyping('');
    setCodeError(null);
    return next;
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ',' || e.key === ' ') {
      e.preventDefault();
      addTyped();
    }
  };

  return (
    <Dialog open onClose={onClose} fullWidth aria-labelledby="finish-title">
      <DialogTitle id="finish-title">{t('action_finish')}</DialogTitle>
      <DialogContent>
        <TextField
          name="note"
          label={t('consultation_note')}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          onBlur={() => setTouched(true)}
          error={touched && missing}
          helperText={touched && missing ? t('note_required') : `${note.length}/5000`}
          slotProps={{ htmlInput: { maxLength: 5000 } }}
          multiline
          minRows={4}
          fullWidth
          required
          margin="dense"
          autoFocus
        />
        <TextField
          name="diagnosis_code"
          label={t('diagnosis_codes')}
          value={typing}
          onChange={(e) => {
            setTyping(e.target.value);
            setCodeError(null);
          }}
          onKeyDown={onKey}
          onBlur={() => addTyped()}
          error={codeError !== null}
          helperText={codeError ?? t('code_hint')}
          slotProps={{ htmlInput: { autoCapitalize: 'characters', enterKeyHint: 'done' } }}
          fullWidth
          margin="dense"
        />
        <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1 }} data-testid="codes">
          {codes.map((code) => (
            <Chip key={code} label={code} onDelete={() => setCodes(codes.filter((c) => c !== code))} />
          ))}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('cancel')}</Button>
        <Button
          variant="contained"
          disabled={busy}
          onClick={() => {
            setTouched(true);
            const all = addTyped();
            if (missing || all === null) return;
            void submit(() =>
              act(order.transaction_id, 'finish', {
                note: note.trim(),
                ...(all.length > 0 ? { diagnosis_codes: all } : {}),
              }),
            );
          }}
        >
          {t('action_finish')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
