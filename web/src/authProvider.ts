import type { AuthProvider } from 'react-admin';
import { api, setCsrfToken, unwrap } from './api';

type Me = { user_id: string; name: string; email: string };
let me: Me | undefined;
let role: 'operator' | 'hospital_admin' = 'operator';

/** Sign-in with email and password into the cookie session; the CSRF value stays in memory. */
export const authProvider: AuthProvider = {
  async login({ username, password }: { username: string; password: string }) {
    const answer = unwrap(await api.POST('/api/admin/session', { body: { email: username, password } }));
    setCsrfToken(answer.data.csrf_token ?? undefined);
    me = answer.data.user;
    role = answer.data.role;
  },
  async logout() {
    if (me !== undefined) await api.DELETE('/api/admin/session').catch(() => undefined);
    me = undefined;
    setCsrfToken(undefined);
  },
  async checkAuth() {
    if (me !== undefined) return;
    // After a reload: the cookie may still be valid; the CSRF value comes back with it.
    const result = await api.GET('/api/admin/session');
    if (!result.response.ok || result.data === undefined) throw new Error('ra.auth.auth_check_error');
    setCsrfToken(result.data.data.csrf_token ?? undefined);
    me = result.data.data.user;
    role = result.data.data.role;
  },
  async checkError(error: { status?: number }) {
    if (error?.status === 401) {
      me = undefined;
      throw new Error('ra.auth.auth_check_error');
    }
  },
  /**
   * The menu shows a hospital admin only what the API lets them do. Signed out there is no role;
   * this must not throw, or react-query retries it (1 s, 2 s, 4 s) before the sign-in form shows.
   */
  async getPermissions() {
    if (me === undefined) await authProvider.checkAuth({}).catch(() => undefined);
    return me === undefined ? null : role;
  },
  async getIdentity() {
    if (me === undefined) await authProvider.checkAuth({});
    return { id: me!.user_id, fullName: me!.name };
  },
};
