// Redaction: every kind of personal detail in the formats residents write them, while place
// names, street names without a number, and the meaning of the message survive.
import { describe, expect, it } from "vitest";
import { createRedactor } from "../../src/nlp/pure-runnable.js";
import { findPersonalDetails, redactPersonalDetails } from "../../src/nlp/redact.js";

describe("redactPersonalDetails", () => {
  it("keeps the meaning of the message", () => {
    expect(redactPersonalDetails("Call me on 07700 900123 about the damp at 12 Hanley Road")).toBe(
      "Call me on [phone] about the damp at [address]",
    );
  });

  it.each([
    "07700 900123",
    "07700900123",
    "07700-900-123",
    "07700 900 123",
    "07 700 900 123",
    "+44 7700 900123",
    "+447700900123",
    "+44 (0)7700 900123",
    "0044 7700 900123",
    "01782 234567",
    "(01782) 234567",
    "0800 123 4567",
    "020 7946 0018",
    "0161 496 0000",
    "0300 123 1234",
    "+48 512 345 678",
  ])("phone %s", (phone) => {
    expect(redactPersonalDetails(`ring ${phone} after 5`)).toBe("ring [phone] after 5");
  });

  it("separates numbers listed together and leaves short service numbers", () => {
    expect(redactPersonalDetails("01782 234567, (01782) 234567, 0800 123 4567")).toBe("[phone], [phone], [phone]");
    expect(redactPersonalDetails("Ring 999, 101 or 111. The 101 bus. £1200 rent for 12 months in 2024.")).toBe(
      "Ring 999, 101 or 111. The 101 bus. £1200 rent for 12 months in 2024.",
    );
  });

  it.each([
    "sarah.jones84@gmail.com",
    "dave_smith@hotmail.co.uk",
    "J.Smith+news@example.org",
    "gwyn.jones@btinternet.com",
  ])("email %s", (email) => {
    expect(redactPersonalDetails(`email ${email} please`)).toBe("email [email] please");
  });

  it.each(["AB123456C", "AB 12 34 56 C", "QQ 123456 B", "ab123456c", "NH 47 22 91 D"])("NI number %s", (ni) => {
    expect(redactPersonalDetails(`my NI is ${ni} ok`)).toBe("my NI is [ni-number] ok");
  });

  it("redacts full postcodes and keeps districts", () => {
    expect(redactPersonalDetails("ST6 5AB, st4 6eu and ST16AA; the rest of ST6 and ST10 is fine")).toBe(
      "[postcode], [postcode] and [postcode]; the rest of ST6 and ST10 is fine",
    );
  });

  it.each([
    ["the damp at 12 Hanley Road is bad", "the damp at [address] is bad"],
    ["Flat 3, 45 Victoria St has no heating", "[address] has no heating"],
    ["we're at 7 the crescent, kids smash windows", "we're at [address], kids smash windows"],
    ["112a Waterloo Road, Hanley", "[address], Hanley"],
    ["Lived at 9 Ford Green Road for 30 years.", "Lived at [address] for 30 years."],
    ["my neighbour at 16 oak close", "my neighbour at [address]"],
  ])("address %j", (text, redacted) => {
    expect(redactPersonalDetails(text)).toBe(redacted);
  });

  it("does not take counts and street names for addresses", () => {
    for (const text of [
      "4 houses on our street were burgled",
      "3 weeks on Leek Road",
      "2 buses to the A50",
      "I live on Moorland Road",
      "at 6 the road floods",
      "it's a 1 way street",
      "we have 2 dogs close to the house",
      "5 minutes walk",
    ]) {
      expect(redactPersonalDetails(text)).toBe(text);
    }
  });

  it.each([
    ["my name is Sarah Jones and I want help", "my name is [name] and I want help"],
    ["my name is sarah jones i live in meir", "my name is [name] i live in meir"],
    ["I'm Dave, I live in Burslem", "I'm [name], I live in Burslem"],
    ["i am sophie", "i am [name]"],
    ["ring me 01782 234567, ask for Mrs Patel", "ring me [phone], ask for [name]"],
    ["my neighbour John has been waiting", "my neighbour [name] has been waiting"],
    ["call my dad, Peter Shaw, he's 84", "call my dad, [name], he's 84"],
    ["Bins not emptied for 3 weeks. - Kev", "Bins not emptied for 3 weeks. - [name]"],
    ["Road is a death trap\nThanks, Linda", "Road is a death trap\n[name]".replace("[name]", "Thanks, [name]")],
    ["please fix my meter, Pat", "please fix my meter, [name]"],
    ["Contact Rev. Margaret Evans at the church hall", "Contact [name] at the church hall"],
    ["Mohammed Khan, 07398 765432", "[name], [phone]"],
    ["Fy enw i yw Rhian Davies", "Fy enw i yw [name]"],
  ])("name %j", (text, redacted) => {
    expect(redactPersonalDetails(text)).toBe(redacted);
  });

  it("keeps place names, organisations and other words that are not personal", () => {
    const kept = [
      "Stoke-on-Trent, Hanley, Burslem, Longton, Tunstall, Fenton, Stoke, Meir, Bentilee, Abbey Hulton",
      "the high street, Hanley bus station, Queens Road park, the A50, GP, NHS, Universal Credit, A&E",
      "Get the bus from Hanley to Longton. The High Street in Tunstall is dead. Love Burslem.",
      "I'm Disabled and I'm Struggling. I'm from Hanley. I'm a carer. I'm on Universal Credit.",
      "contact Citizens Advice or speak to Age UK, or ring Shelter. Thanks Council. Cheers Stoke!",
      "We went to the Royal Stoke, then Festival Park. Victoria Road is a mess. Port Vale!",
      "I'm Polish and I'm Welsh, Stoke born and bred. It's Sunday.",
    ];
    for (const text of kept) expect(redactPersonalDetails(text)).toBe(text);
  });

  it("reports kinds and positions", () => {
    const text = "I'm Gemma, email gem@example.com";
    expect(findPersonalDetails(text)).toEqual([
      { kind: "name", start: 4, end: 9 },
      { kind: "email", start: 17, end: 32 },
    ]);
  });
});

describe("createRedactor", () => {
  it("is a LangChain runnable", async () => {
    const redactor = createRedactor();
    expect(await redactor.invoke("text 07700 900123")).toBe("text [phone]");
    expect(await redactor.batch(["a@b.co", "ST6 1AA"])).toEqual(["[email]", "[postcode]"]);
  });

  it("is fast: well under a millisecond a message", () => {
    const text =
      "Hi my name is Karen Whitehouse, I live at 45 Victoria Street, Hartshill ST4 6EU, call 07700 900123. The pavement outside is broken.";
    for (let i = 0; i < 50; i++) redactPersonalDetails(text);
    const started = performance.now();
    for (let i = 0; i < 500; i++) redactPersonalDetails(text);
    expect((performance.now() - started) / 500).toBeLessThan(0.5);
  });
});
