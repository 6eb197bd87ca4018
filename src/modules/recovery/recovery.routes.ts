import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { bearerGuard, currentSession, ownBodyIds } from '../../http/auth.js';
import { AppError } from '../../http/errors.js';
import { KEY, KEY_TOKEN, op } from '../../http/openapi.js';
import { Envelope } from '../../http/schemas.js';
import { text, EmailStatusSchema, Secret, type RecoveryRouteDeps } from './recovery.schemas.js';

/**
 * Password reset and email verification.
 *
 *   POST /password/forgot        mail a reset link (same answer for unknown accounts)   key
 *   POST /password/reset         new password from the mailed code; every session ends  key
 *   POST /email/verify           confirm the address with the mailed code               key
 *   POST /email/resend           another confirmation mail                              key + token
 *   GET  /email/verification     is the own address confirmed                           key + token
 */
export async function recoveryRoutes(fastify: FastifyInstance, { recovery, accounts, config }: RecoveryRouteDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const authenticated = bearerGuard(accounts);
  const perMinute = { rateLimit: { max: config.limits.loginPerAddressPerMinute, timeWindow: 60_000 } };

  app.post(
    '/password/forgot',
    {
      config: { rateLimit: { max: config.recovery.forgotPerAddressPerHour, timeWindow: 3_600_000 } },
      schema: {
        ...op(
          'accounts',
          'forgotPassword',
          `Mail a password reset link (valid ${config.recovery.resetTtlMinutes} minutes, once); the same answer whether the account exists or not`,
          KEY,
        ),
        body: Type.Object(
          {
            email: Type.String({
              minLength: 1,
              maxLength: 254,
              description: 'The email or the username of the account.',
            }),
          },
          { examples: [{ email: 'siti@example.id' }] },
        ),
        response: { 200: Envelope(Type.Null(), text.forgotSent.en) },
      },
    },
    async (request) => {
      const login = request.body.email.trim();
      if (login === '') throw AppError.field('email', 'required');
      await recovery.forgotPassword(login, request.lang);
      return { success: true, message: text.forgotSent[request.lang], data: null };
    },
  );

  app.post(
    '/password/reset',
    {
      config: perMinute,
      schema: {
        ...op('accounts', 'resetPassword', 'Set a new password with the mailed code; every session ends', KEY, [
          'RESET_TOKEN_INVALID',
        ]),
        body: Type.Object(
          {
            token: Secret('cxr_q0X3kE9yVv1mO2hV8oN1sQeT5l6bH7gA0cP4rJ9wZ2s'),
            password: Type.String({ minLength: 8, maxLength: 128 }),
            password_confirmation: Type.Optional(Type.String({ maxLength: 128 })),
          },
          {
            examples: [
              {
                token: 'cxr_q0X3kE9yVv1mO2hV8oN1sQeT5l6bH7gA0cP4rJ9wZ2s',
                password: 'rahasia-baru-456',
                password_confirmation: 'rahasia-baru-456',
              },
            ],
          },
        ),
        response: { 200: Envelope(Type.Null(), text.passwordReset.en) },
      },
    },
    async (request) => {
      const { token, password, password_confirmation } = request.body;
      if (password_confirmation !== undefined && password_confirmation !== password) {
        throw AppError.field('password', 'confirmationMismatch', { field: 'password' });
      }
      await recovery.resetPassword(token.trim(), password, request.lang);
      return { success: true, message: text.passwordReset[request.lang], data: null };
    },
  );

  app.post(
    '/email/verify',
    {
      config: perMinute,
      schema: {
        ...op('accounts', 'verifyEmail', 'Confirm the email address with the mailed code (no login needed)', KEY, [
          'VERIFICATION_TOKEN_INVALID',
        ]),
        body: Type.Object(
          { token: Secret('cxv_Jm4pX0aQ7rT2uW9yB3dF6hK1nS5vC8eG0iL2oR4tY7z') },
          { examples: [{ token: 'cxv_Jm4pX0aQ7rT2uW9yB3dF6hK1nS5vC8eG0iL2oR4tY7z' }] },
        ),
        response: { 200: Envelope(EmailStatusSchema, text.emailVerified.en) },
      },
    },
    async (request) => {
      const data = await recovery.verifyEmail(request.body.token.trim());
      return { success: true, message: text.emailVerified[request.lang], data };
    },
  );

  app.post(
    '/email/resend',
    {
      onRequest: authenticated,
      // A body naming another patient (user_id, username) is a 403, as on every account route.
      preValidation: ownBodyIds,
      schema: {
        ...op('accounts', 'resendEmailVerification', 'Mail another confirmation link to the own address', KEY_TOKEN, [
          'EMAIL_ALREADY_VERIFIED',
          'TOO_MANY_REQUESTS',
        ]),
        response: { 200: Envelope(Type.Null(), text.verificationSent.en) },
      },
    },
    async (request) => {
      await recovery.resendVerification(currentSession(request).user, request.lang);
      return { success: true, message: text.verificationSent[request.lang], data: null };
    },
  );

  app.get(
    '/email/verification',
    {
      onRequest: authenticated,
      schema: {
        ...op('accounts', 'emailVerificationStatus', 'Is the own email address confirmed?', KEY_TOKEN),
        response: { 200: Envelope(EmailStatusSchema) },
      },
    },
    async (request) => ({
      success: true,
      message: text.ok[request.lang],
      data: await recovery.emailStatus(currentSession(request).user),
    }),
  );
}
