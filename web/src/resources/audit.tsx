import {
  Datagrid,
  FunctionField,
  List,
  SelectInput,
  TextField,
  TextInput,
  useRecordContext,
  useTranslate,
  type RaRecord,
} from 'react-admin';
import { Box, Typography } from '@mui/material';
import { useIntlLocale } from './common';

const ENTITIES = [
  'speciality',
  'hospital',
  'doctor',
  'practice',
  'article',
  'product_category',
  'product',
  'schedule_rule',
  'schedule_exception',
  'order',
];
const ACTIONS = ['create', 'update', 'unpublish', 'publish', 'delete', 'image', 'refund'];

/** The change itself: each field that differs, before and after. */
function BeforeAfter() {
  const record = useRecordContext();
  if (!record) return null;
  const before = (record.before ?? {}) as Record<string, unknown>;
  const after = (record.after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  const show = (v: unknown) => (v === undefined ? '—' : JSON.stringify(v));
  return (
    <Box
      component="table"
      sx={{ borderCollapse: 'collapse', fontSize: 13, '& td, & th': { p: 0.5, border: '1px solid #ddd' } }}
    >
      <thead>
        <tr>
          <th />
          <th>before</th>
          <th>after</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr key={k}>
            <th>{k}</th>
            <td>
              <Typography component="del" variant="body2" color="error">
                {show(before[k])}
              </Typography>
            </td>
            <td>
              <Typography component="ins" variant="body2" color="success.main">
                {show(after[k])}
              </Typography>
            </td>
          </tr>
        ))}
      </tbody>
    </Box>
  );
}

export const AuditList = () => {
  const translate = useTranslate();
  const locale = useIntlLocale();
  return (
    <List
      filters={[
        <SelectInput source="entity" key="entity" alwaysOn choices={ENTITIES.map((id) => ({ id, name: id }))} />,
        <SelectInput source="action" key="action" alwaysOn choices={ACTIONS.map((id) => ({ id, name: id }))} />,
        <TextInput source="entity_id" key="entity_id" />,
        <TextInput source="actor_user_id" key="actor_user_id" />,
      ]}
      title={translate('resources.audit-log.name')}
    >
      <Datagrid bulkActionButtons={false} expand={<BeforeAfter />} rowClick="expand">
        <FunctionField
          source="at"
          render={(r: RaRecord) =>
            new Intl.DateTimeFormat(locale, {
              dateStyle: 'medium',
              timeStyle: 'short',
              timeZone: 'Asia/Jakarta',
            }).format(new Date(r.created_at)) + ' WIB'
          }
        />
        <FunctionField source="actor_user_id" render={(r: RaRecord) => r.actor?.name ?? r.actor_user_id} />
        <TextField source="action" />
        <TextField source="entity" />
        <TextField source="entity_id" />
      </Datagrid>
    </List>
  );
};
