import { useState, type FormEvent } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { setCsrfToken } from '../client';
import { ApiError, api, messageOf, unwrap, type SessionUser } from './api';
import { useI18n } from './i18n';
import { useNotify } from './ui';

/** Change the password; sign out of this browser, or of every device and app of the doctor. */
export function Account({ user, onSignedOut }: { user: SessionUser; onSignedOut: () => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [form, setForm] = useState({ current_password: '', new_password: '', new_password_confirmation: '' });
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);

  const change = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      unwrap(await api.POST('/api/doctor-app/password', { body: form }));
      notify(t('password_changed'));
      setForm({ current_password: '', new_password: '', new_password_confirmation: '' });
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.fields);
      notify(messageOf(err, t('network_error')), 'error');
    } finally {
      setBusy(false);
    }
  };

  const signOut = async (everywhere: boolean) => {
    await api
      .DELETE('/api/doctor-app/session', { params: { query: everywhere ? { everywhere: 'true' } : {} } })
      .catch(() => undefined);
    setCsrfToken(undefined);
    window.location.hash = '/';
    onSignedOut();
  };

  const field = (name: keyof typeof form, label: string, autoComplete: string) => (
    <TextField
      name={name}
      type="password"
      label={label}
      value={form[name]}
      onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      error={errors[name] !== undefined}
      helperText={errors[name]?.[0]}
      autoComplete={autoComplete}
      fullWidth
      required
      margin="dense"
    />
  );

  return (
    <Box>
      <Typography variant="h6" component="h1" sx={{ px: 0.5 }}>
        {t('account_title')}
      </Typography>
      <Typography sx={{ px: 0.5 }} color="text.secondary" data-testid="signed-in-as">
        {t('signed_in_as', { name: user.name })}
      </Typography>
      <Paper component="form" onSubmit={change} sx={{ p: 2, mt: 1 }} aria-label={t('change_password')}>
        <Typography variant="subtitle1" fontWeight={600}>
          {t('change_password')}
        </Typography>
        {field('current_password', t('current_password'), 'current-password')}
        {field('new_password', t('new_password'), 'new-password')}
        {field('new_password_confirmation', t('new_password_confirmation'), 'new-password')}
        <Button type="submit" variant="contained" disabled={busy} fullWidth sx={{ mt: 1 }}>
          {t('save')}
        </Button>
      </Paper>
      <Paper sx={{ p: 2, mt: 1.5, display: 'grid', gap: 1 }}>
        <Button variant="outlined" onClick={() => void signOut(false)}>
          {t('sign_out')}
        </Button>
        <Button variant="outlined" color="error" onClick={() => void signOut(true)}>
          {t('sign_out_everywhere')}
        </Button>
      </Paper>
    </Box>
  );
}
