import { useEffect, useState } from 'react';
import { Title, useTranslate, Link, usePermissions } from 'react-admin';
import {
  Alert,
  Box,
  Card,
  CardContent,
  MenuItem,
  Stack,
  TextField,
  Typography,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
} from '@mui/material';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api, unwrap } from './api';
import type { paths } from './api';
import { rupiah } from './format';
import { useIntlLocale } from './resources/common';

type DashboardData = paths['/api/admin/dashboard']['get']['responses'][200]['content']['application/json']['data'];

/** The date `days` before today, Y-m-d, in WIB (the dashboard's own days). */
function wibDate(offsetDays = 0): string {
  const wib = new Date(new Date().getTime() + 7 * 3_600_000 + offsetDays * 86_400_000);
  return wib.toISOString().slice(0, 10);
}

const ATTENTION: { key: keyof DashboardData['attention']; to: string }[] = [
  {
    key: 'refunds_waiting',
    to: '/orders?filter=' + encodeURIComponent(JSON.stringify({ status: ['waiting_refund'] })),
  },
  {
    key: 'confirm_overdue',
    to: '/orders?filter=' + encodeURIComponent(JSON.stringify({ status: ['waiting_doctor_confirmation'] })),
  },
  {
    key: 'proposals_unanswered',
    to:
      '/orders?filter=' +
      encodeURIComponent(JSON.stringify({ status: ['reschedule_from_doctor', 'reschedule_from_patient'] })),
  },
  { key: 'webhooks_failing', to: '/apps' },
];

export function Dashboard() {
  const translate = useTranslate();
  const locale = useIntlLocale();
  const [from, setFrom] = useState(wibDate(-29));
  const [to, setTo] = useState(wibDate());
  const [hospital, setHospital] = useState('');
  const [hospitals, setHospitals] = useState<{ slug: string; name: string }[]>([]);
  const [data, setData] = useState<DashboardData>();
  const [errors, setErrors] = useState<Record<string, string>>({});

  const { permissions } = usePermissions();
  const everyHospital = permissions !== 'hospital_admin';
  // The hospitals this admin may see (a hospital admin: theirs, one at a time), for the filter.
  useEffect(() => {
    void api
      .GET('/api/admin/hospitals', { params: { query: { data: 100 } as never } })
      .then((r) => setHospitals((r.data?.data ?? []) as { slug: string; name: string }[]));
  }, []);
  useEffect(() => {
    if (!everyHospital && hospital === '' && hospitals[0]) setHospital(hospitals[0].slug);
  }, [everyHospital, hospital, hospitals]);

  useEffect(() => {
    let live = true;
    api
      .GET('/api/admin/dashboard', { params: { query: { from, to, ...(hospital ? { hospital } : {}) } } })
      .then((result) => {
        if (!live) return;
        const answer = unwrap(result);
        setData(answer.data);
        setErrors({});
      })
      .catch((err: { message: string; body?: { errors?: Record<string, string> } }) => {
        if (live) setErrors({ ...(err.body?.errors ?? {}), _: err.message });
      });
    return () => {
      live = false;
    };
  }, [from, to, hospital]);

  const t = (key: string) => translate(`app.dashboard.${key}`);
  return (
    <Box sx={{ p: 2 }}>
      <Title title={t('title')} />
      <Stack direction="row" gap={2} alignItems="center" sx={{ mb: 2 }}>
        <Typography variant="h5">{t('title')}</Typography>
        <TextField
          size="small"
          type="date"
          name="from"
          label={t('from')}
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          error={!!errors.from}
          helperText={errors.from}
          InputLabelProps={{ shrink: true }}
        />
        <TextField
          size="small"
          type="date"
          name="to"
          label={t('to')}
          value={to}
          onChange={(e) => setTo(e.target.value)}
          error={!!errors.to}
          helperText={errors.to}
          InputLabelProps={{ shrink: true }}
        />
        <TextField
          select
          size="small"
          name="hospital"
          label={t('hospital')}
          value={hospital}
          onChange={(e) => setHospital(e.target.value)}
          sx={{ minWidth: 240 }}
          error={!!errors.hospital}
          helperText={errors.hospital}
        >
          {everyHospital && <MenuItem value="">{t('all_hospitals')}</MenuItem>}
          {hospitals.map((h) => (
            <MenuItem key={h.slug} value={h.slug}>
              {h.name}
            </MenuItem>
          ))}
        </TextField>
      </Stack>
      {errors._ && !errors.from && !errors.to && <Alert severity="error">{errors._}</Alert>}
      {data && (
        <Stack gap={2}>
          <Stack direction={{ xs: 'column', md: 'row' }} gap={2}>
            <Card sx={{ flex: 1 }} data-testid="attention">
              <CardContent>
                <Typography variant="h6">{t('attention')}</Typography>
                {ATTENTION.map(({ key, to: link }) => (
                  <Stack key={key} direction="row" justifyContent="space-between" sx={{ py: 0.5 }}>
                    <Link to={link}>{t(key)}</Link>
                    <Typography fontWeight="bold" color={data.attention[key] > 0 ? 'error' : 'text.secondary'}>
                      {data.attention[key]}
                    </Typography>
                  </Stack>
                ))}
              </CardContent>
            </Card>
            <Card sx={{ flex: 2 }} data-testid="today">
              <CardContent>
                <Typography variant="h6">{t('today')}</Typography>
                {data.today.length === 0 ? (
                  <Typography color="text.secondary">{t('no_today')}</Typography>
                ) : (
                  <Table size="small">
                    <TableHead>
                      <TableRow>
                        <TableCell />
                        <TableCell align="right">{t('appointments')}</TableCell>
                        <TableCell align="right">{t('waiting_confirmation')}</TableCell>
                        <TableCell align="right">{t('confirmed')}</TableCell>
                        <TableCell align="right">{t('done')}</TableCell>
                      </TableRow>
                    </TableHead>
                    <TableBody>
                      {data.today.map((h) => (
                        <TableRow key={h.hospital_slug}>
                          <TableCell>
                            {h.hospital_name} ({h.timezone_label})
                          </TableCell>
                          <TableCell align="right">{h.appointments}</TableCell>
                          <TableCell align="right">{h.waiting_confirmation}</TableCell>
                          <TableCell align="right">{h.confirmed}</TableCell>
                          <TableCell align="right">{h.done}</TableCell>
                        </TableRow>
                      ))}
                    </TableBody>
                  </Table>
                )}
              </CardContent>
            </Card>
          </Stack>
          <Card data-testid="totals">
            <CardContent>
              <Typography variant="h6">{t('totals')}</Typography>
              <Stack direction="row" flexWrap="wrap" gap={4}>
                {(['bookings', 'paid', 'cancelled', 'refunded', 'missed'] as const).map((key) => (
                  <Box key={key}>
                    <Typography variant="body2" color="text.secondary">
                      {t(key)}
                    </Typography>
                    <Typography variant="h5">{data.totals[key]}</Typography>
                  </Box>
                ))}
                <Box>
                  <Typography variant="body2" color="text.secondary">
                    {t('revenue')}
                  </Typography>
                  <Typography variant="h5">{rupiah(data.totals.revenue, locale)}</Typography>
                </Box>
              </Stack>
            </CardContent>
          </Card>
          <Stack direction={{ xs: 'column', lg: 'row' }} gap={2}>
            <Card sx={{ flex: 1 }}>
              <CardContent>
                <Typography variant="h6">{t('per_day')} (WIB)</Typography>
                <ResponsiveContainer width="100%" height={280}>
                  <BarChart data={data.days}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="date" tickFormatter={(d: string) => d.slice(5)} />
                    <YAxis allowDecimals={false} />
                    <Tooltip />
                    <Legend />
                    <Bar dataKey="bookings" name={t('bookings')} fill="#1565c0" />
                    <Bar dataKey="paid" name={t('paid')} fill="#2e7d32" />
                    <Bar dataKey="cancelled" name={t('cancelled')} fill="#ef6c00" />
                    <Bar dataKey="refunded" name={t('refunded')} fill="#6a1b9a" />
                    <Bar dataKey="missed" name={t('missed')} fill="#c62828" />
                  </BarChart>
                </ResponsiveContainer>
              </CardContent>
            </Card>
            <Card sx={{ flex: 1 }}>
              <CardContent>
                <Typography variant="h6">{t('revenue')}</Typography>
                <ResponsiveContainer width="100%" height={280}>
                  <LineChart data={data.days}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="date" tickFormatter={(d: string) => d.slice(5)} />
                    <YAxis tickFormatter={(v: number) => `${Math.round(v / 1000)}k`} />
                    <Tooltip formatter={(v) => rupiah(Number(v), locale)} />
                    <Line type="monotone" dataKey="revenue" name={t('revenue')} stroke="#2e7d32" dot={false} />
                  </LineChart>
                </ResponsiveContainer>
              </CardContent>
            </Card>
          </Stack>
        </Stack>
      )}
    </Box>
  );
}
