// Champion and campaign codes: short, easy to read aloud and type on a phone, with no
// characters that look alike (no 0/O, 1/I/L), and case-insensitive.
import { randomInt } from "node:crypto";

export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const CODE_PATTERN = /^[A-HJ-NP-Z2-9]{4,12}$/;

export function generateCode(length = 6, random: (max: number) => number = randomInt): string {
  let code = "";
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[random(CODE_ALPHABET.length)];
  return code;
}

export interface ShareLinks {
  readonly telegram: string | undefined;
  readonly sms: string | undefined;
  /** The SMS instruction in Welsh (the keyword stays JOIN: the SMS webhook knows only that one). */
  readonly smsCy: string | undefined;
}

/** What a champion shares: the Telegram deep link and the SMS instruction. */
export function shareLinks(
  code: string,
  telegramUsername: string | undefined,
  smsNumber: string | undefined,
): ShareLinks {
  const texts = smsNumber && smsNumber.startsWith("+");
  return {
    telegram: telegramUsername ? `https://t.me/${telegramUsername}?start=c_${code}` : undefined,
    sms: texts ? `Text JOIN ${code} to ${displayPhone(smsNumber)}` : undefined,
    smsCy: texts ? `Tecstiwch JOIN ${code} i ${displayPhone(smsNumber)}` : undefined,
  };
}

/** A code as a resident typed or tapped it ("c_st6bus" from a Telegram deep link, " st6bus"): the stored form. */
export function normaliseReferralCode(code: string): string {
  return code.trim().replace(/^c_/i, "").toUpperCase();
}

/** "+447700900123" as people write a UK number ("07700 900123"); other countries as given. */
export function displayPhone(e164: string): string {
  const uk = /^\+44(\d{4})(\d{6})$/.exec(e164);
  return uk ? `0${uk[1]} ${uk[2]}` : e164;
}
