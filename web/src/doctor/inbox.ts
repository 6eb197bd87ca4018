// Live updates: the inbox is polled with its ETag every 10 seconds and whenever the window gets
// the focus back. A poll that finds nothing new costs a 304 with no body; a new notification is
// announced and every screen reloads its orders. Polling rather than Server-Sent Events: it goes
// through every proxy, survives a phone's sleeping tab (the focus poll catches up at once), and
// needs no connection held open per doctor on the API.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, unwrap, type InboxPage, type Notification } from './api';

export const POLL_MS = 10_000;

export function useInbox(onNew: (fresh: Notification[]) => void) {
  const [page, setPage] = useState<InboxPage | null>(null);
  const [unread, setUnread] = useState(0);
  const etag = useRef<string | undefined>(undefined);
  const seen = useRef<Set<string> | null>(null);
  const announce = useRef(onNew);
  announce.current = onNew;

  const poll = useCallback(async () => {
    const result = await api.GET('/api/doctor-app/notifications', {
      params: { query: { data: 20 } },
      headers: etag.current === undefined ? {} : { 'if-none-match': etag.current },
    });
    if (result.response.status === 304) return;
    const body = unwrap(result);
    etag.current = result.response.headers.get('etag') ?? undefined;
    // The first answer only fills the list: what was there before the page opened is not news.
    const before = seen.current;
    const fresh = before === null ? [] : body.data.filter((n) => !n.read && !before.has(n.id));
    seen.current = new Set([...(before ?? []), ...body.data.map((n) => n.id)]);
    setPage(body);
    // The whole inbox's count, not only this page's.
    setUnread(body.unread);
    if (fresh.length > 0) announce.current(fresh);
  }, []);

  useEffect(() => {
    const quiet = () => void poll().catch(() => undefined);
    quiet();
    const timer = window.setInterval(quiet, POLL_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') quiet();
    };
    window.addEventListener('focus', quiet);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('focus', quiet);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [poll]);

  const markRead = useCallback(
    async (ids: string[] | 'all') => {
      unwrap(
        await api.POST('/api/doctor-app/notifications/read', {
          body: ids === 'all' ? { all: true } : { ids },
        }),
      );
      await poll();
    },
    [poll],
  );

  return { page, unread, poll, markRead };
}
