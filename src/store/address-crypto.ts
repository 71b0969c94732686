// Channel addresses (phone numbers, Telegram chat ids) are personal data. They are kept as an
// HMAC for look-up and AES-GCM ciphertext for replying, with keys derived from APP_SECRET by
// HKDF. Web Crypto only, so the same code runs on Node and on Cloudflare Workers.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface AddressCrypto {
  /** Stable keyed hash of an address on a channel: the only way contacts are looked up. */
  hash(channel: string, address: string): Promise<string>;
  encrypt(address: string): Promise<string>;
  decrypt(sealed: string): Promise<string>;
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

async function deriveKey(secret: string, info: string, algorithm: HmacImportParams | AesKeyGenParams, usages: KeyUsage[]): Promise<CryptoKey> {
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

export async function createAddressCrypto(appSecret: string): Promise<AddressCrypto> {
  const [hmacKey, aesKey, kid] = await Promise.all([
    deriveKey(appSecret, "address-hmac", { name: "HMAC", hash: "SHA-256", length: 256 }, ["sign"]),
    deriveKey(appSecret, "address-aes-gcm", { name: "AES-GCM", length: 256 }, ["encrypt", "decrypt"]),
    keyId(appSecret),
  ]);
  return {
    async hash(channel, address) {
      const mac = await crypto.subtle.sign("HMAC", hmacKey, encoder.encode(`${channel}:${address}`));
      return toBase64Url(new Uint8Array(mac));
    },
    async encrypt(address) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, aesKey, encoder.encode(address));
      return `v1.${kid}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
    },
    async decrypt(sealed) {
      const [version, id, iv, body] = sealed.split(".");
      if (version !== "v1" || !iv || !body) throw new Error("Unrecognised address ciphertext");
      if (id !== kid) throw new Error("Address was encrypted under a different key");
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64Url(iv) }, aesKey, fromBase64Url(body));
      return decoder.decode(plain);
    },
  };
}
