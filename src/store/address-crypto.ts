// Channel addresses (phone numbers, Telegram chat ids) are personal data. They are kept as an
// HMAC for look-up and AES-GCM ciphertext for replying, with keys derived from APP_SECRET by
// HKDF. Keys and ciphers are Web Crypto; the HMAC, computed for every inbound message, is
// node:crypto's synchronous one (also on Workers, under nodejs_compat): a Web Crypto job per
// message cost more than the rest of the look-up.
import { createHmac } from "node:crypto";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

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

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function deriveKey(secret: string, info: string, algorithm: AesKeyGenParams, usages: KeyUsage[]): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("placevoice/v1"), info: encoder.encode(info) },
    material,
    algorithm,
    false,
    usages,
  );
}

/** Key id written in front of every ciphertext, so a rotated key can still read old rows. */
async function keyId(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(`placevoice-key-id:${secret}`));
  return toBase64Url(new Uint8Array(digest).slice(0, 6));
}

/** The first 256 bits of the same HKDF as `deriveKey`: the raw bytes of the HMAC key it would make. */
async function deriveBytes(secret: string, info: string): Promise<Uint8Array> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: encoder.encode("placevoice/v1"), info: encoder.encode(info) }, material, 256);
  return new Uint8Array(bits);
}

interface KeySet {
  readonly kid: string;
  readonly hmac: Uint8Array;
  readonly aes: CryptoKey;
}

async function keySet(secret: string): Promise<KeySet> {
  const [hmac, aes, kid] = await Promise.all([
    deriveBytes(secret, "address-hmac"),
    deriveKey(secret, "address-aes-gcm", { name: "AES-GCM", length: 256 }, ["encrypt", "decrypt"]),
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
export async function createAddressCrypto(appSecret: string, previousSecrets: readonly string[] = []): Promise<AddressCrypto> {
  const current = await keySet(appSecret);
  const previous = (await Promise.all(previousSecrets.filter((s) => s && s !== appSecret).map(keySet))).filter((k) => k.kid !== current.kid);
  const byKid = new Map<string, KeySet>([current, ...previous].map((k) => [k.kid, k]));
  return {
    currentKeyId: current.kid,
    hash: async (channel, address) => hmacOf(current, channel, address),
    previousHashes: async (channel, address) => previous.map((k) => hmacOf(k, channel, address)),
    async encrypt(address) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, current.aes, encoder.encode(address));
      return `v1.${current.kid}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
    },
    async decrypt(sealed) {
      const [version, id, iv, body] = sealed.split(".");
      if (version !== "v1" || !id || !iv || !body) throw new Error("Unrecognised address ciphertext");
      const keys = byKid.get(id);
      if (!keys) throw new Error("Address was encrypted under a key that is no longer configured");
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64Url(iv) }, keys.aes, fromBase64Url(body));
      return decoder.decode(plain);
    },
    keyIdOf(sealed) {
      const [version, id] = sealed.split(".");
      return version === "v1" && id ? id : null;
    },
  };
}
