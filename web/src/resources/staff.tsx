import { useState } from 'react';
import {
  AutocompleteArrayInput,
  Button,
  Create,
  Datagrid,
  Edit,
  EditButton,
  FunctionField,
  List,
  PasswordInput,
  ReferenceArrayInput,
  required,
  SelectInput,
  SimpleForm,
  TextField,
  TextInput,
  useNotify,
  useRecordContext,
  useRefresh,
  useTranslate,
  FormDataConsumer,
  type RaRecord,
} from 'react-admin';
import { Dialog, DialogActions, DialogContent, DialogTitle, TextField as MuiTextField } from '@mui/material';
import { api, unwrap } from '../api';

const ROLES = [
  { id: 'operator', name: 'app.staff.operator' },
  { id: 'hospital_admin', name: 'app.staff.hospital_admin' },
];

function DisableButton() {
  const record = useRecordContext();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record) return null;
  const disabled = record.disabled_at !== null;
  return (
    <Button
      label={disabled ? 'app.staff.enable' : 'app.staff.disable'}
      color={disabled ? 'primary' : 'error'}
      onClick={async (event) => {
        event.stopPropagation();
        try {
          const path = { params: { path: { id: String(record.id) } } };
          unwrap(
            disabled
              ? await api.POST('/api/admin/staff/{id}/enable', path)
              : await api.POST('/api/admin/staff/{id}/disable', path),
          );
          refresh();
        } catch (err) {
          notify((err as Error).message, { type: 'error' });
        }
      }}
    />
  );
}

function ResetPasswordButton() {
  const record = useRecordContext();
  const translate = useTranslate();
  const notify = useNotify();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  if (!record) return null;
  const submit = async () => {
    try {
      unwrap(
        await api.POST('/api/admin/staff/{id}/password', {
          params: { path: { id: String(record.id) } },
          body: { password },
        }),
      );
      setOpen(false);
      setPassword('');
      setError(undefined);
      notify('app.staff.password_set', { type: 'success' });
    } catch (err) {
      const e = err as { message: string; body?: { errors?: Record<string, string> } };
      setError(e.body?.errors?.password ?? e.message);
    }
  };
  return (
    <>
      <Button
        label="app.staff.reset_password"
        onClick={(event) => {
          event.stopPropagation();
          setOpen(true);
        }}
      />
      <Dialog open={open} onClose={() => setOpen(false)} onClick={(e) => e.stopPropagation()}>
        <DialogTitle>
          {translate('app.staff.reset_password')}: {record.name}
        </DialogTitle>
        <DialogContent>
          <MuiTextField
            autoFocus
            fullWidth
            margin="dense"
            type="password"
            name="new_password"
            label={translate('app.staff.new_password')}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={!!error}
            helperText={error ?? translate('app.staff.password_help')}
          />
        </DialogContent>
        <DialogActions>
          <Button label="ra.action.cancel" onClick={() => setOpen(false)} />
          <Button label="ra.action.save" onClick={submit} variant="contained" />
        </DialogActions>
      </Dialog>
    </>
  );
}

export const StaffList = () => {
  const translate = useTranslate();
  return (
    <List pagination={false} exporter={false}>
      <Datagrid rowClick="edit" bulkActionButtons={false}>
        <TextField source="name" />
        <TextField source="email" />
        <FunctionField source="role" render={(r: RaRecord) => translate(`app.staff.${r.role}`)} />
        <FunctionField
          source="hospitals"
          render={(r: RaRecord) => (r.hospitals as { name: string }[]).map((h) => h.name).join(', ')}
        />
        <FunctionField
          source="disabled_at"
          render={(r: RaRecord) => translate(r.disabled_at ? 'app.staff.disabled' : 'app.staff.active')}
        />
        <EditButton />
        <DisableButton />
        <ResetPasswordButton />
      </Datagrid>
    </List>
  );
};

const HospitalsInput = () => (
  <FormDataConsumer>
    {({ formData }) =>
      formData.role === 'hospital_admin' && (
        <ReferenceArrayInput source="hospitals" reference="hospitals">
          <AutocompleteArrayInput optionText="name" optionValue="slug" />
        </ReferenceArrayInput>
      )
    }
  </FormDataConsumer>
);

export const StaffCreate = () => (
  <Create redirect="list">
    <SimpleForm defaultValues={{ role: 'operator' }}>
      <TextInput source="name" validate={required()} />
      <TextInput source="email" type="email" validate={required()} />
      <PasswordInput source="password" validate={required()} autoComplete="new-password" />
      <SelectInput source="role" choices={ROLES} validate={required()} />
      <HospitalsInput />
    </SimpleForm>
  </Create>
);

export const StaffEdit = () => (
  <Edit
    mutationMode="pessimistic"
    redirect="list"
    // The form holds hospitals as objects from the API; the API takes their slugs.
    transform={(d: RaRecord) => ({
      name: d.name,
      role: d.role,
      hospitals: (d.hospitals as (string | { slug: string })[]).map((h) => (typeof h === 'string' ? h : h.slug)),
    })}
  >
    <SimpleForm>
      <TextInput source="name" validate={required()} />
      <TextInput source="email" disabled />
      <SelectInput source="role" choices={ROLES} validate={required()} />
      <HospitalsInput />
    </SimpleForm>
  </Edit>
);
