import { useCallback, useEffect, useState } from 'react';
import {
  AutocompleteArrayInput,
  Create,
  Datagrid,
  Edit,
  FunctionField,
  List,
  ReferenceArrayInput,
  required,
  Show,
  SimpleForm,
  TextField,
  TextInput,
  TopToolbar,
  useNotify,
  useRecordContext,
  useRefresh,
  useTranslate,
  Button,
  EditButton,
  type RaRecord,
} from 'react-admin';
import {
  Alert,
  Box,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField as MuiTextField,
  Typography,
} from '@mui/material';
import { api, unwrap } from '../api';
import { useIntlLocale } from './common';

type Key = {
  id: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  /** The API's own reading, on its clock (a browser's may be off). */
  state: 'active' | 'expiring' | 'expired' | 'revoked';
};

/** The raw key, once: after creating an app or rotating its key. */
function KeyOnce({ value, onClose }: { value: string | undefined; onClose: () => void }) {
  const translate = useTranslate();
  return (
    <Dialog open={value !== undefined} onClose={onClose}>
      <DialogTitle>{translate('app.apps.key_once')}</DialogTitle>
      <DialogContent>
        <Alert severity="warning" sx={{ mb: 2 }}>
          {translate('app.apps.key_once_help')}
        </Alert>
        <Typography component="code" data-testid="new-key" sx={{ wordBreak: 'break-all', fontFamily: 'monospace' }}>
          {value}
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button label="ra.action.close" onClick={onClose} />
      </DialogActions>
    </Dialog>
  );
}

const scopeText = (r: RaRecord, all: string) =>
  Array.isArray(r.hospital_scope) && r.hospital_scope.length > 0 ? r.hospital_scope.join(', ') : all;

export const AppList = () => {
  const translate = useTranslate();
  return (
    <List pagination={false} exporter={false}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="name" />
        <FunctionField
          source="hospital_scope"
          render={(r: RaRecord) => scopeText(r, translate('app.apps.all_hospitals'))}
        />
        <FunctionField
          source="keys"
          render={(r: RaRecord) => (r.keys as Key[]).filter((k) => k.revoked_at === null).length}
        />
        <FunctionField
          source="revoked_at"
          render={(r: RaRecord) => (r.revoked_at ? translate('app.apps.revoked') : translate('app.apps.active'))}
        />
      </Datagrid>
    </List>
  );
};

const HospitalsInput = () => (
  <ReferenceArrayInput source="hospitals" reference="hospitals">
    <AutocompleteArrayInput optionText="name" optionValue="slug" />
  </ReferenceArrayInput>
);

export const AppCreate = () => {
  const [key, setKey] = useState<string>();
  const [created, setCreated] = useState<RaRecord>();
  return (
    <>
      <Create
        mutationOptions={{
          onSuccess: (data: RaRecord) => {
            setCreated(data);
            setKey(data.key as string);
          },
        }}
        redirect={false}
      >
        <SimpleForm>
          <TextInput source="name" validate={required()} />
          <HospitalsInput />
        </SimpleForm>
      </Create>
      <KeyOnce
        value={key}
        onClose={() => {
          setKey(undefined);
          if (created) window.location.hash = `#/apps/${created.id}/show`;
        }}
      />
    </>
  );
};

export const AppEdit = () => (
  <Edit
    mutationMode="pessimistic"
    redirect="show"
    transform={(d: RaRecord) => ({ name: d.name, hospitals: d.hospitals ?? d.hospital_scope })}
  >
    <SimpleForm>
      <TextInput source="name" validate={required()} />
      <HospitalsInput />
    </SimpleForm>
  </Edit>
);

function Keys() {
  const record = useRecordContext();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const locale = useIntlLocale();
  const [rotating, setRotating] = useState(false);
  const [overlap, setOverlap] = useState('72');
  const [overlapError, setOverlapError] = useState<string>();
  const [newKey, setNewKey] = useState<string>();
  if (!record) return null;
  const when = (iso: string | null) =>
    iso
      ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Jakarta' }).format(
          new Date(iso),
        ) + ' WIB'
      : '—';
  const rotate = async () => {
    try {
      const answer = unwrap(
        await api.POST('/api/admin/apps/{app_id}/rotate', {
          params: { path: { app_id: String(record.id) } },
          body: { overlap_hours: Number(overlap) },
        }),
      );
      setRotating(false);
      setOverlapError(undefined);
      setNewKey(answer.data.key);
      refresh();
    } catch (err) {
      const e = err as { message: string; body?: { errors?: Record<string, string> } };
      setOverlapError(e.body?.errors?.overlap_hours ?? e.message);
    }
  };
  const revokeKey = async (keyId: string) => {
    try {
      unwrap(
        await api.POST('/api/admin/apps/{app_id}/keys/{id}/revoke', {
          params: { path: { app_id: String(record.id), id: keyId } },
        }),
      );
      notify('app.apps.key_revoked_msg', { type: 'info' });
      refresh();
    } catch (err) {
      notify((err as Error).message, { type: 'error' });
    }
  };
  return (
    <Box sx={{ my: 2 }}>
      <Typography variant="h6">{translate('app.apps.keys')}</Typography>
      <Table size="small" data-testid="keys">
        <TableHead>
          <TableRow>
            <TableCell>{translate('app.apps.prefix')}</TableCell>
            <TableCell>{translate('app.apps.created')}</TableCell>
            <TableCell>{translate('app.apps.expires')}</TableCell>
            <TableCell>{translate('app.apps.state')}</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {(record.keys as Key[]).map((k) => (
            <TableRow key={k.id} data-state={k.state}>
              <TableCell>
                <code>{k.prefix}…</code>
              </TableCell>
              <TableCell>{when(k.created_at)}</TableCell>
              <TableCell>{when(k.expires_at)}</TableCell>
              <TableCell>{translate(`app.apps.key_${k.state}`)}</TableCell>
              <TableCell>
                {k.revoked_at === null && !record.revoked_at && (
                  <Button label="app.apps.revoke_key" onClick={() => revokeKey(k.id)} color="error" />
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {!record.revoked_at && (
        <Button label="app.apps.rotate" onClick={() => setRotating(true)} variant="contained" sx={{ mt: 1 }} />
      )}
      <Dialog open={rotating} onClose={() => setRotating(false)}>
        <DialogTitle>{translate('app.apps.rotate')}</DialogTitle>
        <DialogContent>
          <Typography variant="body2" sx={{ mb: 2 }}>
            {translate('app.apps.rotate_help')}
          </Typography>
          <MuiTextField
            name="overlap_hours"
            type="number"
            label={translate('app.apps.overlap_hours')}
            value={overlap}
            onChange={(e) => setOverlap(e.target.value)}
            error={!!overlapError}
            helperText={overlapError}
          />
        </DialogContent>
        <DialogActions>
          <Button label="ra.action.cancel" onClick={() => setRotating(false)} />
          <Button label="app.apps.rotate" onClick={rotate} variant="contained" />
        </DialogActions>
      </Dialog>
      <KeyOnce value={newKey} onClose={() => setNewKey(undefined)} />
    </Box>
  );
}

function RevokeAppButton() {
  const record = useRecordContext();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record || record.revoked_at) return null;
  return (
    <Button
      label="app.apps.revoke_app"
      color="error"
      onClick={async () => {
        if (!window.confirm(record.name as string)) return;
        try {
          unwrap(
            await api.POST('/api/admin/apps/{app_id}/revoke', { params: { path: { app_id: String(record.id) } } }),
          );
          refresh();
        } catch (err) {
          notify((err as Error).message, { type: 'error' });
        }
      }}
    />
  );
}

type Delivery = {
  id: string;
  type: string;
  transaction_id: string;
  state: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
};

/** The app's webhooks and their recent deliveries; a delivered or failed one can be sent again. */
function Webhooks() {
  const record = useRecordContext();
  const translate = useTranslate();
  const notify = useNotify();
  const [rows, setRows] = useState<{ id: string; url: string; active: boolean }[]>([]);
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const appId = record ? String(record.id) : undefined;
  const load = useCallback(async () => {
    if (appId === undefined) return;
    const [hooks, log] = await Promise.all([
      api.GET('/api/admin/apps/{app_id}/webhooks', { params: { path: { app_id: appId } } }),
      api.GET('/api/admin/webhook-deliveries', { params: { query: { app_id: appId, data: 20 } as never } }),
    ]);
    setRows((hooks.data?.data ?? []) as never);
    setDeliveries((log.data?.data ?? []) as never);
  }, [appId]);
  useEffect(() => {
    void load();
  }, [load]);
  const resend = async (id: string) => {
    try {
      unwrap(await api.POST('/api/admin/webhook-deliveries/{id}/resend', { params: { path: { id } } }));
      notify('app.apps.resent', { type: 'info' });
      await load();
    } catch (err) {
      notify((err as Error).message, { type: 'error' });
    }
  };
  if (!record) return null;
  return (
    <Box sx={{ my: 2 }}>
      <Typography variant="h6">{translate('app.apps.webhooks')}</Typography>
      <Box component="ul">
        {rows.map((w) => (
          <li key={w.id}>
            {w.url} {w.active ? '' : `(${translate('app.apps.revoked')})`}
          </li>
        ))}
      </Box>
      <Typography variant="subtitle1">{translate('app.apps.deliveries')}</Typography>
      <Table size="small" data-testid="deliveries">
        <TableBody>
          {deliveries.map((d) => (
            <TableRow key={d.id}>
              <TableCell>{d.type}</TableCell>
              <TableCell>{d.transaction_id}</TableCell>
              <TableCell>{d.state}</TableCell>
              <TableCell>{d.attempts}</TableCell>
              <TableCell>{d.last_error ?? d.last_status ?? ''}</TableCell>
              <TableCell>
                {(d.state === 'delivered' || d.state === 'failed') && (
                  <Button label="app.apps.resend" onClick={() => resend(d.id)} />
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

const ShowActions = () => (
  <TopToolbar>
    <EditButton />
    <RevokeAppButton />
  </TopToolbar>
);

export const AppShow = () => {
  const translate = useTranslate();
  return (
    <Show actions={<ShowActions />}>
      <Box sx={{ p: 2 }}>
        <TextField source="name" variant="h5" />
        <FunctionField
          render={(r: RaRecord) => (
            <Typography>
              {translate('resources.apps.fields.hospital_scope')}: {scopeText(r, translate('app.apps.all_hospitals'))}
              {r.revoked_at ? ` · ${translate('app.apps.revoked')}` : ''}
            </Typography>
          )}
        />
        <Keys />
        <Webhooks />
      </Box>
    </Show>
  );
};
