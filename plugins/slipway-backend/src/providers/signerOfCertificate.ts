import {
  SubjectAlternativeNameExtension,
  X509Certificate,
} from '@peculiar/x509';
import { SignerIdentity } from '@slipway/plugin-slipway-common';

/**
 * Fulcio's issuer extension (V2): the OIDC issuer as a DER-encoded
 * UTF8String. See sigstore/fulcio docs/oid-info.md.
 */
const FULCIO_ISSUER_OID = '1.3.6.1.4.1.57264.1.8';
/** Fulcio's deprecated issuer extension (V1): the issuer as raw bytes, no DER. */
const FULCIO_ISSUER_V1_OID = '1.3.6.1.4.1.57264.1.1';

/** A PEM larger than this is no Fulcio leaf (those are about 1 KiB). */
const MAX_PEM_CHARS = 16 * 1024;
/** Longest identity or issuer taken from a certificate. */
const MAX_VALUE_CHARS = 1024;
const UTF8_TAG = 0x0c;

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Reads one DER UTF8String that fills `bytes` exactly. */
function derUtf8String(bytes: Uint8Array): string | undefined {
  if (bytes.length < 2 || bytes[0] !== UTF8_TAG) return undefined;
  let length = bytes[1];
  let offset = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    // Definite long form only, and small: an issuer URL fits in 3 bytes of length.
    if (count === 0 || count > 3 || bytes.length < 2 + count) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[2 + i];
    offset = 2 + count;
  }
  if (offset + length !== bytes.length) return undefined;
  return utf8(bytes.subarray(offset));
}

/** A printable value of sane length, else undefined. */
function clean(value: string | undefined): string | undefined {
  if (!value || value.length > MAX_VALUE_CHARS) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return undefined;
  return value;
}

function issuerOf(certificate: X509Certificate): string | undefined {
  const v2 = certificate.getExtension(FULCIO_ISSUER_OID);
  if (v2) return clean(derUtf8String(new Uint8Array(v2.value)));
  const v1 = certificate.getExtension(FULCIO_ISSUER_V1_OID);
  if (v1) return clean(utf8(new Uint8Array(v1.value)));
  return undefined;
}

function identityOf(certificate: X509Certificate): string | undefined {
  const san = certificate.getExtension(SubjectAlternativeNameExtension);
  if (!san) return undefined;
  const names = san.names.items;
  // Fulcio writes one SAN: a URI for workloads (CI workflows), an email for people.
  const uri = names.find(name => name.type === 'url');
  const email = names.find(name => name.type === 'email');
  return clean((uri ?? email)?.value);
}

/**
 * Who a cosign keyless signature was made by, read from its Fulcio
 * certificate (PEM): the identity is the Subject Alternative Name (URI, else
 * email), the issuer the Fulcio issuer extension (1.3.6.1.4.1.57264.1.8,
 * falling back to the deprecated 1.3.6.1.4.1.57264.1.1). Undefined when the
 * PEM does not parse or either part is missing.
 *
 * The certificate is read, not verified: neither its chain to a Fulcio root
 * nor a Rekor entry is checked here.
 */
export function signerOfCertificate(pem: string): SignerIdentity | undefined {
  if (typeof pem !== 'string' || pem.length > MAX_PEM_CHARS) return undefined;
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
  if (blocks.length !== 1) return undefined;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem.trim());
  } catch {
    return undefined;
  }
  try {
    const identity = identityOf(certificate);
    const issuer = issuerOf(certificate);
    if (!identity || !issuer) return undefined;
    return { identity, issuer };
  } catch {
    // A malformed extension inside an otherwise parseable certificate.
    return undefined;
  }
}
