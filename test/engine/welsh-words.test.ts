// Keywords and yes/no answers as Welsh speakers type them (issue 27, part 2).
import { describe, expect, it } from "vitest";
import { detectKeyword } from "../../src/engine/keywords.js";
import { parseAnswer } from "../../src/engine/parse-answer.js";

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
