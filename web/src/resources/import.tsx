import { useState } from 'react';
import { Title, useNotify, useTranslate } from 'react-admin';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { api, unwrap } from '../api';

type Changes = Record<string, { create: string[]; update: string[] }>;

/**
 * A catalogue file (JSON, or CSV named after its entity: doctors.csv) checked by a dry run that
 * lists what would be created and updated; nothing is written until "Apply". A refused file
 * lists its problems by line, and the chosen file stays chosen.
 */
export function ImportPage() {
  const translate = useTranslate();
  const notify = useNotify();
  const [file, setFile] = useState<{ name: string; text: string }>();
  const [changes, setChanges] = useState<Changes>();
  const [problems, setProblems] = useState<string[]>([]);
  const [applied, setApplied] = useState(false);
  const [busy, setBusy] = useState(false);

  const send = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    try {
      const answer = unwrap(
        await api.POST('/api/admin/catalogue/import', {
          body: { file_name: file.name, content: file.text, dry_run: dryRun },
        }),
      );
      setChanges(answer.data.changes as Changes);
      setProblems([]);
      setApplied(!dryRun);
      if (!dryRun) notify('app.import.done', { type: 'success' });
    } catch (err) {
      const e = err as { message: string; body?: { all?: string[] } };
      const all = e.body?.all ?? [];
      setProblems(all.length > 0 ? [e.message, ...all] : [e.message]);
      setChanges(undefined);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box sx={{ p: 2 }}>
      <Title title={translate('app.import.title')} />
      <Card>
        <CardContent>
          <Typography variant="h5" gutterBottom>
            {translate('app.import.title')}
          </Typography>
          <Typography variant="body2" sx={{ mb: 2 }}>
            {translate('app.import.help')}
          </Typography>
          <Stack direction="row" gap={2} alignItems="center">
            <Button variant="outlined" component="label">
              {translate('app.import.choose')}
              <input
                hidden
                type="file"
                name="catalogue"
                accept=".json,.csv,application/json,text/csv"
                onChange={async (e) => {
                  const chosen = e.target.files?.[0];
                  if (!chosen) return;
                  setFile({ name: chosen.name, text: await chosen.text() });
                  setChanges(undefined);
                  setProblems([]);
                  setApplied(false);
                }}
              />
            </Button>
            <Typography data-testid="file-name">{file?.name ?? ''}</Typography>
            <Button variant="contained" disabled={!file || busy} onClick={() => send(true)}>
              {translate('app.import.dry_run')}
            </Button>
            <Button
              variant="contained"
              color="success"
              disabled={!changes || applied || busy}
              onClick={() => send(false)}
            >
              {translate('app.import.apply')}
            </Button>
          </Stack>
          {problems.length > 0 && (
            <Alert severity="error" sx={{ mt: 2 }} data-testid="problems">
              {problems.map((p, i) => (
                <div key={i}>{p}</div>
              ))}
            </Alert>
          )}
          {changes && (
            <Box sx={{ mt: 2 }}>
              <Alert severity={applied ? 'success' : 'info'}>
                {translate(applied ? 'app.import.applied' : 'app.import.would')}
              </Alert>
              <Table size="small" data-testid="changes">
                <TableHead>
                  <TableRow>
                    <TableCell />
                    <TableCell>{translate('app.import.create')}</TableCell>
                    <TableCell>{translate('app.import.update')}</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {Object.entries(changes)
                    .filter(([, c]) => c.create.length + c.update.length > 0)
                    .map(([entity, c]) => (
                      <TableRow key={entity}>
                        <TableCell>{entity}</TableCell>
                        <TableCell>{c.create.join(', ')}</TableCell>
                        <TableCell>{c.update.join(', ')}</TableCell>
                      </TableRow>
                    ))}
                </TableBody>
              </Table>
            </Box>
          )}
        </CardContent>
      </Card>
    </Box>
  );
}
