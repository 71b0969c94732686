// Address hashes are how every stored contact is found again, and the ciphertext is how we can
// still reply: whatever computes them (Web Crypto once, node:crypto now, on Node and on Workers)
// must give the same bytes for the same secret, or every resident would become a stranger, or
// unreachable, after an upgrade.
import { describe, expect, it } from "vitest";
import { createAddressCrypto } from "../../src/store/address-crypto.js";

const SECRET = "some-app-secret-for-compat-check-0123456789";

/** HMAC-SHA256 under a key from Web Crypto's HKDF deriveKey, computed with Web Crypto only: the definition. */
async function webCryptoHash(secret: string, channel: string, address: string): Promise<string> {
  const encoder = new TextEncoder();
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("placevoice/v1"), info: encoder.encode("address-hmac") },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign"],
  );
  return Buffer.from(await crypto.subtle.sign("HMAC", key, encoder.encode(`${channel}:${address}`))).toString(
    "base64url",
  );
}

/** The AES-256-GCM key Web Crypto's HKDF deriveKey makes: the definition. */
async function webCryptoAesKey(secret: string): Promise<CryptoKey> {
  const encoder = new TextEncoder();
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("placevoice/v1"), info: encoder.encode("address-aes-gcm") },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

describe("address hashes", () => {
  it("are the known answer for a fixed secret and address", async () => {
    const c = await createAddressCrypto(SECRET);
    expect(await c.hash("sms", "+447700900123")).toBe("ox9HroFf9kyQd4Z5JqF0oSdb1OtYb6cv5IDTl1mgLvA");
  });

  it("equal the Web Crypto definition for every channel and for previous keys", async () => {
    const c = await createAddressCrypto(SECRET, ["an-earlier-secret-0123456789abcdef-012345"]);
    for (const [channel, address] of [
      ["sms", "+447700900999"],
      ["telegram", "5512345678"],
      ["telegram-group", "-100123"],
    ] as const) {
      expect(await c.hash(channel, address)).toBe(await webCryptoHash(SECRET, channel, address));
      expect(await c.previousHashes(channel, address)).toEqual([
        await webCryptoHash("an-earlier-secret-0123456789abcdef-012345", channel, address),
      ]);
    }
  });

  it("read what Web Crypto sealed, and seal what Web Crypto reads", async () => {
    const c = await createAddressCrypto(SECRET);
    const key = await webCryptoAesKey(SECRET);
    for (const address of ["+447700900123", "5512345678", "-1001234567890", "ŵ🙂"]) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const body = new Uint8Array(
        await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(address)),
      );
      const sealedByWebCrypto = `v1.${c.currentKeyId}.${Buffer.from(iv).toString("base64url")}.${Buffer.from(body).toString("base64url")}`;
      expect(await c.decrypt(sealedByWebCrypto)).toBe(address);

      const [, , ourIv, ourBody] = (await c.encrypt(address)).split(".");
      const opened = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: Buffer.from(ourIv!, "base64url") },
        key,
        Buffer.from(ourBody!, "base64url"),
      );
      expect(new TextDecoder().decode(opened)).toBe(address);
    }
  });

  it("refuses ciphertext that was altered or cut short", async () => {
    const c = await createAddressCrypto(SECRET);
    const [v, kid, iv, body] = (await c.encrypt("+447700900123")).split(".");
    const flipped = Buffer.from(body!, "base64url");
    flipped[0]! ^= 1;
    await expect(c.decrypt(`${v}.${kid}.${iv}.${flipped.toString("base64url")}`)).rejects.toThrow();
    await expect(c.decrypt(`${v}.${kid}.${iv}.${body!.slice(0, 8)}`)).rejects.toThrow();
  });

  it("round-trips an address through encryption under the current key", async () => {
    const c = await createAddressCrypto(SECRET);
    const sealed = await c.encrypt("+447700900123");
    expect(sealed).toMatch(new RegExp(`^v1\\.${c.currentKeyId}\\.`));
    expect(sealed).not.toContain("447700900123");
    expect(await c.decrypt(sealed)).toBe("+447700900123");
  });
});
