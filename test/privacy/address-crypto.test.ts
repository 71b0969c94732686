// Address hashes are how every stored contact is found again: whatever computes them (Web
// Crypto once, node:crypto now, on Node and on Workers) must give the same bytes for the same
// secret, or every resident would become a stranger after an upgrade.
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
  return Buffer.from(await crypto.subtle.sign("HMAC", key, encoder.encode(`${channel}:${address}`))).toString("base64url");
}

describe("address hashes", () => {
  it("are the known answer for a fixed secret and address", async () => {
    const c = await createAddressCrypto(SECRET);
    expect(await c.hash("sms", "+447700900123")).toBe("ox9HroFf9kyQd4Z5JqF0oSdb1OtYb6cv5IDTl1mgLvA");
  });

  it("equal the Web Crypto definition for every channel and for previous keys", async () => {
    const c = await createAddressCrypto(SECRET, ["an-earlier-secret-0123456789abcdef-012345"]);
    for (const [channel, address] of [["sms", "+447700900999"], ["telegram", "5512345678"], ["telegram-group", "-100123"]] as const) {
      expect(await c.hash(channel, address)).toBe(await webCryptoHash(SECRET, channel, address));
      expect(await c.previousHashes(channel, address)).toEqual([await webCryptoHash("an-earlier-secret-0123456789abcdef-012345", channel, address)]);
    }
  });

  it("round-trips an address through encryption under the current key", async () => {
    const c = await createAddressCrypto(SECRET);
    const sealed = await c.encrypt("+447700900123");
    expect(sealed).toMatch(new RegExp(`^v1\\.${c.currentKeyId}\\.`));
    expect(sealed).not.toContain("447700900123");
    expect(await c.decrypt(sealed)).toBe("+447700900123");
  });
});
