import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import LinearProgress from '@mui/material/LinearProgress';
import { messageOf, type InboxPage } from './api';
import { useI18n } from './i18n';
import { instantLabel } from './time';
import { go, useNotify } from './ui';

/** The notifications, newest first; tapping one marks it read and opens its order. */
export function Inbox({
  page,
  unread,
  markRead,
}: {
  page: InboxPage | null;
  unread: number;
  markRead: (ids: string[] | 'all') => Promise<void>;
}) {
  const { t, locale } = useI18n();
  const notify = useNotify();
  const mark = (ids: string[] | 'all') =>
    markRead(ids).catch((err: unknown) => notify(messageOf(err, t('network_error')), 'error'));

  if (page === null) return <LinearProgress />;
  return (
    <Box>
      <Stack direction="row" justifyContent="space-between" alignItems="center" sx={{ px: 0.5 }}>
        <Typography variant="h6" component="h1">
          {t('inbox_title')}
        </Typography>
        <Button size="small" onClick={() => void mark('all')} disabled={unread === 0}>
          {t('mark_all_read')}
        </Button>
      </Stack>
      <Paper sx={{ mt: 1 }}>
        {page.data.length === 0 ? (
          <Typography color="text.secondary" sx={{ p: 2 }}>
            {t('inbox_empty')}
          </Typography>
        ) : (
          <List data-testid="notifications">
            {page.data.map((n) => (
              <ListItemButton
                key={n.id}
                data-notification={n.id}
                data-read={n.read}
                sx={{ borderLeft: n.read ? '4px solid transparent' : '4px solid #d32f2f' }}
                onClick={() => {
                  if (!n.read) void mark([n.id]);
                  go(`/order/${n.transaction_id}`);
                }}
              >
                <ListItemText
                  primary={n.title}
                  secondary={`${n.body} · ${instantLabel(n.created_at, n.data.timezone, locale)}`}
                  slotProps={{ primary: { fontWeight: n.read ? 400 : 700 } }}
                />
              </ListItemButton>
            ))}
          </List>
        )}
      </Paper>
    </Box>
  );
}
