// Keywords and yes/no answers as Welsh speakers type them (issue 27, part 2).
import { describe, expect, it } from "vitest";
import { detectKeyword } from "../../src/engine/keywords.js";
import { parseAnswer } from "../../src/engine/parse-answer.js";
import { welshAnd, welshYears } from "../../src/engine/text.js";
import { shippedFlows } from "./helpers.js";

describe("Welsh keywords", () => {
  it.each([
    ["CANSLO", "stop"],
    ["dad-danysgrifio", "stop"],
    ["Diddymu", "stop"],
    ["DECHRAU", "start"],
    ["ie", "start"],
    ["AILDDECHRAU", "restart"],
    ["Dechrau eto", "restart"],
    ["CYMORTH", "help"],
    ["helpu", "help"],
    ["Gwybodaeth", "help"],
    ["NEWID IAITH", "language"],
    ["FY NATA", "mydata"],
    ["fy data", "mydata"],
    ["DILEU", "delete"],
    ["DIWEDDARIADAU", "updates"],
  ])("%s -> %s", (text, keyword) => {
    expect(detectKeyword(text)?.keyword).toBe(keyword);
  });
});

describe("yes and no in Welsh, as the question's verb asks", () => {
  const yesNo = (text: string) => parseAnswer({ kind: "yes_no" }, text, ["en", "cy"]);
  it.each(["Hoffwn", "Cewch", "Cei", "Gallwch", "Ydi", "Ia", "Yndi", "Ydy, iawn", "Ie", "Oes", "hoffwn, diolch"])(
    "%s is yes",
    (text) => {
      expect(yesNo(text)).toEqual({ ok: true, value: true });
    },
  );
  it.each(["Na hoffwn", "Na chewch", "Nag oes", "Nage", "Nac ydw", "Na", "Dim diolch"])("%s is no", (text) => {
    expect(yesNo(text)).toEqual({ ok: true, value: false });
  });
});

describe("Welsh assembled at run time", () => {
  it.each([
    ["Costau byw", "a Chostau byw"],
    ["Iechyd a lles", "ac Iechyd a lles"],
    ["Parciau, sbwriel a mannau gwyrdd", "a Pharciau, sbwriel a mannau gwyrdd"],
    ["Teimlo'n ddiogel", "a Theimlo'n ddiogel"],
    ["Tai", "a Thai"],
    ["Swyddi a sgiliau", "a Swyddi a sgiliau"],
    ["Gofal a chymorth", "a Gofal a chymorth"],
    ["Chwaraeon", "a Chwaraeon"],
  ])("and %j -> %j", (word, joined) => {
    expect(welshAnd(word)).toBe(joined);
  });

  it.each([
    [1, "1 flwyddyn"],
    [2, "2 flynedd"],
    [3, "3 blynedd"],
    [5, "5 mlynedd"],
    [10, "10 mlynedd"],
  ])("%i years -> %j", (n, words) => {
    expect(welshYears(n)).toBe(words);
  });
});

describe("the age options, reworded for SMS, still understand the old Welsh labels", () => {
  const ageBand = shippedFlows()
    .find((f) => f.id === "priorities")!
    .nodes.find((n) => n.id === "age_band")!;
  const input = ageBand.type === "question" ? ageBand.input : undefined;
  it.each([
    ["65 a throsodd", "age_65_plus"],
    ["65 neu hŷn", "age_65_plus"],
    ["65 neu hyn", "age_65_plus"],
    ["Gwell gen i beidio ag ateb", "prefer_not_to_say"],
    ["Gwell gen i beidio â dweud", "prefer_not_to_say"],
  ])("%s -> %s", (text, id) => {
    expect(parseAnswer(input!, text, ["en", "cy"])).toMatchObject({ ok: true, value: id });
  });
});
