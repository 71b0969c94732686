// Channel addresses (phone numbers, Telegram chat ids) are personal data. They are kept as an
// HMAC for look-up and AES-256-GCM ciphertext for replying, with keys derived from APP_SECRET by
// HKDF (Web Crypto, once at start). The HMAC (every inbound message) and the cipher (every new
// contact, every broadcast recipient) are node:crypto's synchronous ones, on Node and on
// Workers (nodejs_compat): a Web Crypto job per message is asynchronous, runs on libuv's thread
// pool on Node, and for the HMAC cost more than the rest of the look-up. The bytes are Web
// Crypto's (test/privacy/address-crypto.test.ts pins both).
import { Buffer } from "node:buffer";
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

const encoder = new TextEncoder();
/** AES-GCM's tag, as Web Crypto appends it to the ciphertext. */
const TAG_BYTES = 16;

export interface AddressCrypto {
  /** Id of the key new ciphertext is written under (the `<kid>` in `v1.<kid>.…`). */
  readonly currentKeyId: string;
  /** Stable keyed hash of an address on a channel: the only way contacts are looked up. */
  hash(channel: string, address: string): Promise<string>;
  /** The hashes the same address had under the previous keys (empty when none are configured). */
  previousHashes(channel: string, address: string): Promise<string[]>;
  encrypt(address: string): Promise<string>;
  /** Reads ciphertext written under the current key or any previous key. */
  decrypt(sealed: string): Promise<string>;
  /** The key id a ciphertext was written under, or null if it is not ours. */
  keyIdOf(sealed: string): string | null;
}

const toBase64Url = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
const fromBase64Url = (text: string): Buffer => Buffer.from(text, "base64url");

/** Key id written in front of every ciphertext, so a rotated key can still read old rows. */
async function keyId(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(`placevoice-key-id:${secret}`));
  return toBase64Url(new Uint8Array(digest).slice(0, 6));
}

/** 256 bits of HKDF-SHA256: the raw bytes of the key Web Crypto's deriveKey would make (HMAC or AES-256). */
async function deriveBytes(secret: string, info: string): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("placevoice/v1"), info: encoder.encode(info) },
    material,
    256,
  );
  return new Uint8Array(bits);
}

interface KeySet {
  readonly kid: string;
  readonly hmac: Uint8Array;
  readonly aes: Uint8Array;
}

async function keySet(secret: string): Promise<KeySet> {
  const [hmac, aes, kid] = await Promise.all([
    deriveBytes(secret, "address-hmac"),
    deriveBytes(secret, "address-aes-gcm"),
    keyId(secret),
  ]);
  return { kid, hmac, aes };
}

function hmacOf(keys: KeySet, channel: string, address: string): string {
  return createHmac("sha256", keys.hmac).update(`${channel}:${address}`).digest("base64url");
}

/**
 * Keys from the current secret, plus read-only keys from previous secrets during a rotation:
 * new rows are written under the current key, and old rows stay readable until
 * `placevoice keys rotate` has re-encrypted them.
 */
export async function createAddressCrypto(
  appSecret: string,
  previousSecrets: readonly string[] = [],
): Promise<AddressCrypto> {
  const current = await keySet(appSecret);
  const previous = (await Promise.all(previousSecrets.filter((s) => s && s !== appSecret).map(keySet))).filter(
    (k) => k.kid !== current.kid,
  );
  const byKid = new Map<string, KeySet>([current, ...previous].map((k) => [k.kid, k]));
  return {
    currentKeyId: current.kid,
    hash: async (channel, address) => hmacOf(current, channel, address),
    previousHashes: async (channel, address) => previous.map((k) => hmacOf(k, channel, address)),
    async encrypt(address) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", current.aes, iv);
      const sealed = Buffer.concat([cipher.update(address, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `v1.${current.kid}.${toBase64Url(iv)}.${toBase64Url(sealed)}`;
    },
    async decrypt(sealed) {
      const [version, id, iv, body] = sealed.split(".");
      if (version !== "v1" || !id || !iv || !body) throw new Error("Unrecognised address ciphertext");
      const keys = byKid.get(id);
      if (!keys) throw new Error("Address was encrypted under a key that is no longer configured");
      const bytes = fromBase64Url(body);
      if (bytes.length < TAG_BYTES) throw new Error("Unrecognised address ciphertext");
      const decipher = createDecipheriv("aes-256-gcm", keys.aes, fromBase64Url(iv));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString(
        "utf8",
      );
    },
    keyIdOf(sealed) {
      const [version, id] = sealed.split(".");
      return version === "v1" && id ? id : null;
    },
  };
}
