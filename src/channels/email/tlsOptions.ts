// TLS for the SMTP and IMAP connections of a mailbox. Certificates are verified by default,
// so a password is never handed to a server that merely claims to be the mail host; a mailbox
// on an internal relay with a self-signed certificate opts out with `allow_self_signed: true`.

export interface TlsChoice {
  /** Accept a certificate that does not verify (self-signed, wrong name). Default false. */
  allow_self_signed?: boolean;
}

export function tlsOptionsOf(settings: TlsChoice): { rejectUnauthorized: boolean } {
  return { rejectUnauthorized: settings.allow_self_signed !== true };
}
