import { useState, type FormEvent } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { setCsrfToken } from '../client';
import { api, messageOf, unwrap, type SessionUser } from './api';
import { useI18n } from './i18n';

/** Email or username and password; a refusal shows the API's message and keeps what was typed. */
export function SignIn({ onSignedIn }: { onSignedIn: (user: SessionUser) => void }) {
  const { t } = useI18n();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = unwrap(await api.POST('/api/doctor-app/session', { body: { email: login, password } }));
      setCsrfToken(answer.data.csrf_token ?? undefined);
      onSignedIn(answer.data.user);
    } catch (err) {
      setError(messageOf(err, t('network_error')));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box sx={{ p: 2, pt: 6, maxWidth: 420, mx: 'auto' }}>
      <Paper component="form" onSubmit={submit} sx={{ p: 3 }} aria-label={t('signin_title')}>
        <Typography variant="h5" component="h1" gutterBottom>
          {t('signin_title')}
        </Typography>
        {error !== null && (
          <Alert severity="error" sx={{ mb: 2 }} role="alert">
            {error}
          </Alert>
        )}
        <TextField
          name="login"
          label={t('signin_login')}
          value={login}
          onChange={(e) => setLogin(e.target.value)}
          autoComplete="username"
          autoCapitalize="none"
          fullWidth
          required
          margin="normal"
        />
        <TextField
          name="password"
          type="password"
          label={t('signin_password')}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
          fullWidth
          required
          margin="normal"
        />
        <Button type="submit" variant="contained" fullWidth size="large" disabled={busy} sx={{ mt: 2 }}>
          {t('signin_submit')}
        </Button>
      </Paper>
    </Box>
  );
}
