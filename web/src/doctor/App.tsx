import { useCallback, useEffect, useMemo, useState } from 'react';
import AppBar from '@mui/material/AppBar';
import Badge from '@mui/material/Badge';
import BottomNavigation from '@mui/material/BottomNavigation';
import BottomNavigationAction from '@mui/material/BottomNavigationAction';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import CssBaseline from '@mui/material/CssBaseline';
import IconButton from '@mui/material/IconButton';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Alert from '@mui/material/Alert';
import Snackbar from '@mui/material/Snackbar';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import { ThemeProvider, createTheme } from '@mui/material/styles';
import TodayIcon from '@mui/icons-material/Today';
import BeachAccessIcon from '@mui/icons-material/BeachAccess';
import NotificationsIcon from '@mui/icons-material/Notifications';
import PersonIcon from '@mui/icons-material/Person';
import { setApiLanguage, setCsrfToken } from '../client';
import { Account } from './Account';
import { Agenda } from './Agenda';
import { api, whenSignedOut, type SessionUser } from './api';
import { I18nContext, STATUS_LABELS, historyText, translate, useI18n, type I18n, type Lang } from './i18n';
import { Inbox } from './Inbox';
import { useInbox } from './inbox';
import { LeavePage } from './Leave';
import { OrderPage } from './OrderPage';
import { SignIn } from './SignIn';
import { NotifyContext, RefreshContext, go, useHashRoute, useNotify, type Severity } from './ui';

const theme = createTheme({ palette: { primary: { main: '#00695c' }, background: { default: '#f4f6f6' } } });
const LANG_KEY = 'cexup.doctor.lang';

function storedLang(): Lang {
  try {
    return window.localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'id';
  } catch {
    return 'id';
  }
}

export function App() {
  const [lang, setLangState] = useState<Lang>(storedLang);
  // Set before any call of this render: the API answers its messages in the same language.
  setApiLanguage(lang);
  const i18n = useMemo<I18n>(
    () => ({
      lang,
      locale: lang === 'id' ? 'id-ID' : 'en-GB',
      t: (key, vars) => translate(lang, key, vars),
      status: (s) => STATUS_LABELS[lang][s] ?? s,
      historyLabel: (action, by) => historyText(lang, action, by),
      setLang: (next) => {
        try {
          window.localStorage.setItem(LANG_KEY, next);
        } catch {
          // A private window without storage: the choice lasts until the reload.
        }
        setLangState(next);
      },
    }),
    [lang],
  );

  useEffect(() => {
    // Screen readers and the browser's own controls follow the page's language.
    document.documentElement.lang = lang;
  }, [lang]);

  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  useEffect(() => {
    whenSignedOut(() => {
      setCsrfToken(undefined);
      setUser(null);
    });
    // After a reload the cookie may still be valid; the CSRF value comes back with it.
    void api
      .GET('/api/doctor-app/session')
      .then((result) => {
        if (result.response.ok && result.data !== undefined) {
          setCsrfToken(result.data.data.csrf_token ?? undefined);
          setUser(result.data.data.user);
        } else setUser(null);
      })
      .catch(() => setUser(null));
  }, []);

  const [toast, setToast] = useState<{ message: string; severity: Severity; key: number } | null>(null);
  const notify = useCallback(
    (message: string, severity: Severity = 'success') => setToast({ message, severity, key: Date.now() }),
    [],
  );

  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <I18nContext.Provider value={i18n}>
        <NotifyContext.Provider value={notify}>
          {user === undefined ? (
            <Box sx={{ display: 'flex', justifyContent: 'center', pt: 10 }}>
              <CircularProgress aria-label={i18n.t('loading')} />
            </Box>
          ) : user === null ? (
            <>
              <TopBar unread={null} />
              <SignIn onSignedIn={setUser} />
            </>
          ) : (
            <Workspace user={user} onSignedOut={() => setUser(null)} />
          )}
          <Snackbar
            key={toast?.key}
            open={toast !== null}
            autoHideDuration={5000}
            onClose={(_, reason) => reason !== 'clickaway' && setToast(null)}
            anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }}
            // Above the bottom navigation, where a thumb is.
            sx={{ bottom: { xs: 72, sm: 72 } }}
          >
            <Alert
              severity={toast?.severity ?? 'info'}
              variant="filled"
              onClose={() => setToast(null)}
              data-testid="snackbar"
              sx={{ width: '100%' }}
            >
              {toast?.message}
            </Alert>
          </Snackbar>
        </NotifyContext.Provider>
      </I18nContext.Provider>
    </ThemeProvider>
  );
}

function TopBar({ unread }: { unread: number | null }) {
  const { t, lang, setLang } = useI18n();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  return (
    <AppBar position="sticky">
      <Toolbar sx={{ gap: 1 }}>
        <Typography variant="h6" component="div" sx={{ flexGrow: 1 }} noWrap>
          {t('app_title')}
        </Typography>
        <Button color="inherit" onClick={(e) => setAnchor(e.currentTarget)} aria-label={t('language')}>
          {lang.toUpperCase()}
        </Button>
        <Menu anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
          {(['id', 'en'] as const).map((l) => (
            <MenuItem
              key={l}
              selected={l === lang}
              onClick={() => {
                setLang(l);
                setAnchor(null);
              }}
            >
              {l === 'id' ? 'Bahasa Indonesia' : 'English'}
            </MenuItem>
          ))}
        </Menu>
        {unread !== null && (
          <IconButton color="inherit" href="#/inbox" aria-label={t('nav_inbox')} data-testid="inbox-button">
            <Badge badgeContent={unread} color="error" data-testid="unread" data-unread={unread}>
              <NotificationsIcon />
            </Badge>
          </IconButton>
        )}
      </Toolbar>
    </AppBar>
  );
}

function Workspace({ user, onSignedOut }: { user: SessionUser; onSignedOut: () => void }) {
  const { t } = useI18n();
  const route = useHashRoute();
  const [version, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  const refresh = useMemo(() => ({ version, bump }), [version, bump]);
  const notify = useNotify();
  const inbox = useInbox((fresh) => {
    notify(t('new_notification', { title: fresh[0]!.title }), 'info');
    bump();
  });

  const section = route.startsWith('/leave')
    ? 'leave'
    : route.startsWith('/inbox')
      ? 'inbox'
      : route.startsWith('/account')
        ? 'account'
        : 'agenda';
  const order = /^\/order\/([^/?]+)/.exec(route)?.[1];

  return (
    <RefreshContext.Provider value={refresh}>
      <TopBar unread={inbox.unread} />
      <Box component="main" sx={{ p: 1.5, pb: 10, maxWidth: 720, mx: 'auto' }}>
        {order !== undefined ? (
          <OrderPage transactionId={decodeURIComponent(order)} />
        ) : section === 'leave' ? (
          <LeavePage />
        ) : section === 'inbox' ? (
          <Inbox page={inbox.page} unread={inbox.unread} markRead={inbox.markRead} />
        ) : section === 'account' ? (
          <Account user={user} onSignedOut={onSignedOut} />
        ) : (
          <Agenda week={route.startsWith('/week')} />
        )}
      </Box>
      <Paper sx={{ position: 'fixed', bottom: 0, left: 0, right: 0, zIndex: 2 }} elevation={3}>
        <BottomNavigation
          showLabels
          value={section}
          onChange={(_, value: string) => go(value === 'agenda' ? '/' : `/${value}`)}
        >
          <BottomNavigationAction value="agenda" label={t('nav_agenda')} icon={<TodayIcon />} />
          <BottomNavigationAction value="leave" label={t('nav_leave')} icon={<BeachAccessIcon />} />
          <BottomNavigationAction
            value="inbox"
            label={t('nav_inbox')}
            icon={
              <Badge badgeContent={inbox.unread} color="error">
                <NotificationsIcon />
              </Badge>
            }
          />
          <BottomNavigationAction value="account" label={t('nav_account')} icon={<PersonIcon />} />
        </BottomNavigation>
      </Paper>
    </RefreshContext.Provider>
  );
}
