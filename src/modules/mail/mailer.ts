import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import { lazyRequire } from '../../lazy.js';
import type { MailConfig } from '../../config.js';
import { systemClock } from '../../clock.js';

/** One email. `html` is optional: every mail has a plain-text body. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * How the API sends email. Modules take a Mailer (never nodemailer itself), so the transport
 * is chosen once, from the config (`createMailer`). `send` resolves when the transport has
 * accepted the mail (the SMTP server said 250, the file is written) and rejects otherwise:
 * callers decide whether a failure matters. Secrets a mail carries (links, codes) are the
 * caller's to keep out of logs; the mailers here never log a body.
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Closes pooled connections; the app calls it on close. */
  close?(): Promise<void>;
}

/** The part of a pino/Fastify logger the mailers use. */
export interface MailLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** `siti@example.id` → `s***@example.id`: enough to tell mails apart in a log, not the address. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

const nodemailer = lazyRequire<typeof import('nodemailer')>('nodemailer');

/** Delivery through an SMTP server (SMTP_URL, e.g. smtp://user:pass@smtp.example.id:587). */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(url: string, from: string) {
    // Bounded waits: a dead server must not hold background work for minutes. Settings in the
    // URL's query string (?pool=true&requireTLS=true ...) win over these.
    this.transport = nodemailer().createTransport(
      { url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 },
      { from },
    );
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail(message);
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * Writes each mail as an .eml file (openable in any mail program) under DATA_DIR/mail: the
 * default of demo mode, so reset and verification links work on a machine without SMTP. The
 * files hold the links, so they are readable by their owner only; the log names the file,
 * never the content.
 */
export class FileMailer implements Mailer {
  private readonly composer = nodemailer().createTransport({ streamTransport: true, buffer: true });

  constructor(
    private readonly dir: string,
    private readonly from: string,
    private readonly log: MailLog,
    private readonly now: () => number = systemClock,
  ) {}

  async send(message: MailMessage): Promise<void> {
    const info = await this.composer.sendMail({ ...message, from: this.from });
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const stamp = new Date(this.now()).toISOString().replace(/[:.]/g, '-');
    const file = join(this.dir, `${stamp}-${randomBytes(3).toString('hex')}.eml`);
    writeFileSync(file, info.message as Buffer, { mode: 0o600 });
    // `path`, not `file`: the app's logger redacts every `file` (avatar uploads).
    this.log.info({ to: maskAddress(message.to), subject: message.subject, path: file }, 'mail written to a file');
  }
}

/** No transport (MAIL_TRANSPORT=log): the mail is dropped, and a line says so, without its content. */
export class LogMailer implements Mailer {
  constructor(private readonly log: MailLog) {}

  async send(message: MailMessage): Promise<void> {
    this.log.warn(
      { to: maskAddress(message.to), subject: message.subject },
      'mail not sent: no mail transport configured (set SMTP_URL)',
    );
  }
}

export function createMailer(config: MailConfig, log: MailLog): Mailer {
  if (config.transport === 'smtp') return new SmtpMailer(config.smtpUrl!, config.from);
  if (config.transport === 'file') return new FileMailer(config.dir, config.from, log);
  return new LogMailer(log);
}
