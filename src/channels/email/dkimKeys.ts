// DKIM keys: which key signs a mailbox's mail, the check a key passes before it is stored, and
// the DNS TXT record that publishes its public half. The private key is a secret: nothing here
// puts it in an error message or a log line.

import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";

/** What nodemailer's `dkim` option takes (relaxed/relaxed, rsa-sha256). */
export interface DkimSigningKey {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

/** As stored in `mailboxes.dkim_json`; the domain defaults to the From address's domain. */
export interface StoredDkimKey {
  domain?: string;
  selector: string;
  privateKey: string;
}

const SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const MIN_RSA_BITS = 1024;

function privateKeyObject(pem: string): KeyObject | null {
  try {
    return createPrivateKey({ key: pem, format: "pem" });
  } catch {
    return null;
  }
}

/**
 * Why a key cannot sign, in words a user can act on; null when it can. Only RSA is offered:
 * nodemailer signs with rsa-sha256, and ed25519 verification is still patchy at receivers.
 */
export function dkimKeyProblem(input: { selector: string; privateKey: string }): string | null {
  if (!SELECTOR.test(input.selector)) return "the selector must be a DNS label such as `nudge1`";
  const key = privateKeyObject(input.privateKey);
  if (!key) return "the private key is not a PEM private key (-----BEGIN PRIVATE KEY----- …)";
  if (key.asymmetricKeyType !== "rsa") return "the private key must be an RSA key (rsa-sha256)";
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) return `the RSA key has ${bits} bits; use 2048`;
  return null;
}

export function readStoredDkimKey(json: string | null): StoredDkimKey | null {
  if (!json) return null;
  try {
    const value = JSON.parse(json) as Partial<StoredDkimKey> | null;
    if (!value || typeof value.selector !== "string" || typeof value.privateKey !== "string") return null;
    return {
      selector: value.selector,
      privateKey: value.privateKey,
      ...(typeof value.domain === "string" && value.domain ? { domain: value.domain } : {}),
    };
  } catch {
    return null;
  }
}

/** The signing key of a mailbox, or null when it has none (the message goes out unsigned). */
export function dkimSigningKeyOf(mailbox: {
  dkim_json: string | null;
  from_address: string;
}): DkimSigningKey | null {
  const stored = readStoredDkimKey(mailbox.dkim_json);
  if (!stored) return null;
  const domainName = stored.domain ?? mailbox.from_address.split("@").pop() ?? "";
  if (!domainName) return null;
  return {
    domainName: domainName.toLowerCase(),
    keySelector: stored.selector,
    privateKey: stored.privateKey,
  };
}

/** Where receivers look the public key up: `<selector>._domainkey.<domain>`. */
export function dkimRecordName(key: { keySelector: string; domainName: string }): string {
  return `${key.keySelector}._domainkey.${key.domainName}`;
}

/** The public half of a private key, base64 DER (SubjectPublicKeyInfo), as a DKIM `p=` carries it. */
export function dkimPublicKeyBase64(privateKeyPem: string): string | null {
  const key = privateKeyObject(privateKeyPem);
  if (!key) return null;
  return createPublicKey(key).export({ type: "spki", format: "der" }).toString("base64");
}

/** The TXT record to publish for a key: `v=DKIM1; k=rsa; p=…`. */
export function dkimTxtRecord(privateKeyPem: string): string | null {
  const p = dkimPublicKeyBase64(privateKeyPem);
  return p ? `v=DKIM1; k=rsa; p=${p}` : null;
}

/** The `p=` value of a published DKIM TXT record (chunks already joined), or null. */
export function publishedDkimPublicKey(txt: string): string | null {
  const tags = new Map(
    txt
      .split(";")
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const eq = part.indexOf("=");
        return [part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).replace(/\s+/g, "")] as const;
      }),
  );
  const p = tags.get("p");
  return p === undefined ? null : p;
}
