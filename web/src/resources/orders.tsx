import {
  Button,
  Datagrid,
  DateInput,
  ExportButton,
  FunctionField,
  List,
  ReferenceInput,
  AutocompleteInput,
  SearchInput,
  SelectArrayInput,
  Show,
  SimpleShowLayout,
  TextField,
  TopToolbar,
  useNotify,
  useRecordContext,
  useRefresh,
  useTranslate,
  Labeled,
  type Exporter,
  type RaRecord,
  downloadCSV,
} from 'react-admin';
import { useState } from 'react';
import {
  Box,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField as MuiTextField,
  Typography,
} from '@mui/material';
import jsonExport from 'jsonexport/dist';
import { api, unwrap } from '../api';
import { rupiah, zonedDateTime } from '../format';
import { useIntlLocale } from './common';

export const STATUSES = [
  'waiting_payment',
  'waiting_doctor_confirmation',
  'waiting_meeting',
  'reschedule_from_doctor',
  'reschedule_from_patient',
  'join_now',
  'on_air',
  'done',
  'missed_meeting',
  'order_cancel',
  'order_failed',
  'waiting_refund',
  'refunded',
];

function StatusField() {
  const record = useRecordContext();
  const translate = useTranslate();
  if (!record) return null;
  return <span data-status={record.status}>{translate(`app.status.${record.status}`, { _: record.status })}</span>;
}

/** The appointment's start in its hospital's zone, labelled WIB/WITA/WIT. */
function StartField({ source = 'start_at' }: { source?: string; label?: string }) {
  const record = useRecordContext();
  const locale = useIntlLocale();
  if (!record) return null;
  return <span>{zonedDateTime(record[source], record.timezone, locale)}</span>;
}

const orderFilters = (translate: (key: string) => string) => [
  <SearchInput source="q" alwaysOn key="q" placeholder={translate('app.order.search')} />,
  <SelectArrayInput
    source="status"
    key="status"
    alwaysOn
    choices={STATUSES.map((id) => ({ id, name: translate(`app.status.${id}`) }))}
    sx={{ minWidth: 220 }}
  />,
  <ReferenceInput source="doctor" reference="doctors" key="doctor">
    <AutocompleteInput optionText="name" />
  </ReferenceInput>,
  <ReferenceInput source="hospital" reference="hospitals" key="hospital">
    <AutocompleteInput optionText="name" />
  </ReferenceInput>,
  <DateInput source="from" key="from" />,
  <DateInput source="to" key="to" />,
];

/** The filtered list as CSV: every page of it, with the columns an accountant needs. */
const exporter: Exporter = (orders: RaRecord[]) => {
  const rows = orders.map((o) => ({
    transaction_id: o.transaction_id,
    status: o.status,
    date: o.date,
    time: o.time,
    timezone: o.timezone,
    type: o.type,
    patient: o.patient,
    doctor: o.doctor_account?.name ?? '',
    hospital: o.hospital,
    price: o.price,
    refund_due: o.refund_due,
    paid_at: o.paid_at ?? '',
    refunded_at: o.refunded_at ?? '',
    created_at: o.created_at,
  }));
  jsonExport(rows, (err: Error | null, csv: string) => {
    if (!err) downloadCSV(csv, 'pesanan');
  });
};

const ListActions = () => (
  <TopToolbar>
    <ExportButton maxResults={10_000} label="app.action.export_csv" />
  </TopToolbar>
);

export const OrderList = () => {
  const translate = useTranslate();
  return (
    <List filters={orderFilters(translate)} exporter={exporter} actions={<ListActions />} perPage={25}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="transaction_id" />
        <StatusField />
        <StartField source="start_at" label="resources.orders.fields.start_at" />
        <TextField source="patient" />
        <FunctionField source="doctor" render={(r: RaRecord) => r.doctor_account?.name} />
        <TextField source="hospital" />
        <FunctionField source="price" render={(r: RaRecord) => rupiah(r.price)} />
        <FunctionField source="refund_due" render={(r: RaRecord) => (r.refund_due ? rupiah(r.refund_due) : '')} />
      </Datagrid>
    </List>
  );
};

/** waiting_refund → refunded, with the transfer's reference kept in the audit log. */
function RefundButton() {
  const record = useRecordContext();
  const notify = useNotify();
  const refresh = useRefresh();
  const translate = useTranslate();
  const [open, setOpen] = useState(false);
  const [reference, setReference] = useState('');
  const [busy, setBusy] = useState(false);
  if (!record || record.status !== 'waiting_refund') return null;
  const submit = async () => {
    setBusy(true);
    try {
      unwrap(
        await api.POST('/api/admin/orders/{transaction_id}/refund', {
          params: { path: { transaction_id: String(record.id) } },
          body: reference.trim() === '' ? {} : { reference: reference.trim() },
        }),
      );
      notify('app.action.refund_done', { type: 'success' });
      setOpen(false);
      refresh();
    } catch (err) {
      // The dialog stays open with what was typed.
      notify((err as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button label="app.action.refund" onClick={() => setOpen(true)} variant="contained" />
      <Dialog open={open} onClose={() => setOpen(false)}>
        <DialogTitle>
          {translate('app.action.refund')}: {rupiah(record.refund_due)}
        </DialogTitle>
        <DialogContent>
          <MuiTextField
            autoFocus
            fullWidth
            margin="dense"
            name="reference"
            label={translate('app.action.refund_reference')}
            value={reference}
            onChange={(e) => setReference(e.target.value)}
            inputProps={{ maxLength: 200 }}
          />
        </DialogContent>
        <DialogActions>
          <Button label="ra.action.cancel" onClick={() => setOpen(false)} />
          <Button label="ra.action.confirm" onClick={submit} disabled={busy} variant="contained" />
        </DialogActions>
      </Dialog>
    </>
  );
}

function History() {
  const record = useRecordContext();
  const translate = useTranslate();
  const locale = useIntlLocale();
  if (!record) return null;
  const history = (record.history ?? []) as { status: string; action: string; by: string; at: string }[];
  return (
    <Box component="ol" sx={{ pl: 2, m: 0 }} aria-label={translate('app.order.history')}>
      {history.map((h, i) => (
        <li key={i}>
          <Typography variant="body2">
            <strong>{zonedDateTime(h.at, record.timezone, locale)}</strong> ·{' '}
            {translate(`app.status.${h.status}`, { _: h.status })} · {h.action} ({h.by})
          </Typography>
        </li>
      ))}
    </Box>
  );
}

const ShowActions = () => (
  <TopToolbar>
    <RefundButton />
  </TopToolbar>
);

export const OrderShow = () => {
  const translate = useTranslate();
  return (
    <Show actions={<ShowActions />}>
      <SimpleShowLayout>
        <TextField source="transaction_id" />
        <StatusField />
        <Typography variant="h6">{translate('app.order.appointment')}</Typography>
        <Labeled source="start_at">
          <StartField />
        </Labeled>
        <TextField source="type" />
        <TextField source="patient" />
        <FunctionField source="doctor" render={(r: RaRecord) => r.doctor_account?.name} />
        <TextField source="hospital" />
        <TextField source="note" emptyText="—" />
        <Typography variant="h6">{translate('app.order.payment')}</Typography>
        <FunctionField source="price" render={(r: RaRecord) => rupiah(r.price)} />
        <TextField source="payment_provider" emptyText="—" />
        <FunctionField source="paid_at" render={(r: RaRecord) => zonedDateTime(r.paid_at, r.timezone)} />
        <FunctionField source="refund_due" render={(r: RaRecord) => rupiah(r.refund_due)} />
        <FunctionField source="refunded_at" render={(r: RaRecord) => zonedDateTime(r.refunded_at, r.timezone)} />
        <Typography variant="h6">{translate('app.order.history')}</Typography>
        <History />
      </SimpleShowLayout>
    </Show>
  );
};
