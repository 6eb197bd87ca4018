import { Box } from '@mui/material';
import {
  Button,
  ImageField,
  ImageInput,
  SearchInput,
  SelectInput,
  useLocaleState,
  useNotify,
  useRecordContext,
  useRefresh,
  useResourceContext,
  useTranslate,
} from 'react-admin';
import VisibilityIcon from '@mui/icons-material/Visibility';
import VisibilityOffIcon from '@mui/icons-material/VisibilityOff';
import { setPublished } from '../dataProvider';

/** Search and published/unpublished: every catalogue list has both. */
export const catalogueFilters = (translate: (key: string) => string) => [
  <SearchInput source="q" alwaysOn key="q" />,
  <SelectInput
    source="status"
    key="status"
    alwaysOn
    choices={[
      { id: 'published', name: translate('app.action.published') },
      { id: 'unpublished', name: translate('app.action.unpublished') },
    ]}
  />,
];

/** Publish or unpublish the record in context, with the API's answer shown. */
export function PublishButton() {
  const record = useRecordContext();
  const resource = useResourceContext();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record || !resource) return null;
  const hidden = record.unpublished_at !== null && record.unpublished_at !== undefined;
  return (
    <Button
      label={hidden ? 'app.action.publish' : 'app.action.unpublish'}
      onClick={async (event) => {
        event.stopPropagation();
        try {
          await setPublished(resource, record.id, hidden);
          notify(hidden ? 'app.action.published' : 'app.action.unpublished', { type: 'info' });
          refresh();
        } catch (err) {
          notify((err as Error).message, { type: 'error' });
        }
      }}
    >
      {hidden ? <VisibilityIcon /> : <VisibilityOffIcon />}
    </Button>
  );
}

/** Shown / hidden, from `unpublished_at`. */
export function PublishedField() {
  const record = useRecordContext();
  const translate = useTranslate();
  if (!record) return null;
  return <span>{translate(record.unpublished_at ? 'app.action.unpublished' : 'app.action.published')}</span>;
}

/** ISO weekday (1 Monday ... 7 Sunday) in the interface's language. */
export function useWeekdayName(): (weekday: number) => string {
  const [locale] = useLocaleState();
  const format = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'id-ID', { weekday: 'long', timeZone: 'UTC' });
  // 2023-01-01 was a Sunday, so day 1 + weekday is that ISO weekday.
  return (weekday) => format.format(Date.UTC(2023, 0, 1 + weekday));
}

export function useIntlLocale(): string {
  const [locale] = useLocaleState();
  return locale === 'en' ? 'en-GB' : 'id-ID';
}

/**
 * The record's picture and a new one to upload, previewed before saving. The API checks it as it
 * checks every image (type, size); a refusal shows under this field and the rest of the form stays.
 */
export function PictureInput() {
  const record = useRecordContext();
  const translate = useTranslate();
  const current =
    (record?.thumb as string | null | undefined) ?? (record?.images as { url: string }[] | undefined)?.[0]?.url;
  return (
    <Box sx={{ my: 1 }}>
      {current && (
        <Box
          component="img"
          src={current}
          alt={translate('app.picture.current')}
          sx={{ maxHeight: 120, borderRadius: 1, display: 'block', mb: 1 }}
        />
      )}
      <ImageInput
        source="picture"
        label="app.picture.new"
        accept={{ 'image/png': ['.png'], 'image/jpeg': ['.jpg', '.jpeg'], 'image/webp': ['.webp'] }}
        maxSize={2 * 1024 * 1024}
        helperText="app.picture.help"
      >
        <ImageField source="src" title="title" />
      </ImageInput>
    </Box>
  );
}
