// The services directory from the browser (/dashboard/admin/directory): an operator uploads an
// Open Referral package as a browser posts it (multipart, with the session cookie and the CSRF
// token), sees the CLI's report before anything is written, confirms, and a resident texting in
// over SMS is then signposted from the upload. Broken packages, zip bombs, paths that climb out
// of the folder, the wrong type, too large a file, a missing CSRF token and a partner are all
// refused with nothing imported; a failure while storing leaves the directory as it was.
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/channel-harness.js";
import { DashboardClient, csrfOf, operatorAndPartner } from "../support/dashboard-client.js";
import { correctedSample, samplePackage, sampleFiles, zipOf } from "../support/directory-package.js";
import { twimlMessages } from "../support/fake-twilio.js";

const PATH = "/dashboard/admin/directory";
let h: Harness;
let operator: DashboardClient;
let partner: DashboardClient;
let operatorId: string;
let phone = 800;

async function sms(from: string, body: string): Promise<string[]> {
  const response = await h.smsFrom(from, body);
  expect(response.status).toBe(200);
  return twimlMessages(await response.text());
}

/** A resident who asks about transport in ST6 and accepts local services: the offer they get. */
async function transportOffer(): Promise<string> {
  const from = `+4477009${String(++phone).padStart(5, "0")}`;
  for (const text of ["Hi", "1", "Yes", "ST6 1AA", "transport", "More buses at night", "3"]) await sms(from, text);
  return (await sms(from, "yes please")).join("\n");
}

async function upload(name: string, bytes: Uint8Array, client = operator, type = "application/zip") {
  const { html } = await client.page(PATH);
  const response = await client.postFile(PATH, { csrf: csrfOf(html) }, { field: "package", name, bytes, type });
  return { response, html: unescaped(await response.text()) };
}

/** A page's text as a person reads it (the quotes in problems are escaped in the HTML). */
const unescaped = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

const field = (html: string, id: string) => new RegExp(`data-testid="${id}">([^<]*)<`).exec(html)?.[1];
const tokenOf = (html: string) => /name="upload" value="([^"]+)"/.exec(html)?.[1];
const confirm = (html: string) => operator.post(`${PATH}/confirm`, { csrf: csrfOf(html), upload: tokenOf(html)! });
const phonesOf = async (id: string) =>
  (await h.services.prisma.service.findUniqueOrThrow({ where: { id }, select: { phones: true } })).phones;
const snapshot = async () => ({
  services: await h.services.prisma.service.findMany({ orderBy: { id: "asc" } }),
  settings: await h.services.prisma.directorySetting.findMany(),
});

beforeAll(async () => {
  h = await startHarness();
  ({ operator, partner, operatorId } = await operatorAndPartner(h));
});

afterAll(async () => {
  await h.close();
});

describe("/dashboard/admin/directory", () => {
  it("shows what residents are signposted to now, and the upload form", async () => {
    const { status, html } = await operator.page(PATH);
    expect(status).toBe(200);
    expect(html).toMatch(/<th scope="row">stoke-on-trent<\/th><td class="num" data-label="Services">37<\/td>/);
    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).toContain("Area: Stoke-on-Trent");
    expect((await h.services.partners.recentAudit(1))[0]).toMatchObject({
      actor: operatorId,
      action: "directory.view",
    });
  });

  it("uploads the sample zip: the report first with nothing written, then confirm, and a resident is signposted from it", async () => {
    expect(await transportOffer()).toMatch(/Tel 01632 9602(20|21|40)/);
    const before = await snapshot();

    const checked = await upload("stoke-on-trent.zip", correctedSample());
    expect(checked.response.status).toBe(200);
    expect(checked.html).toContain("nothing is imported yet");
    expect(field(checked.html, "source")).toBe("stoke-on-trent (oruk-tabular)");
    expect(field(checked.html, "services")).toBe("37");
    expect([field(checked.html, "added"), field(checked.html, "updated"), field(checked.html, "removed")]).toEqual([
      "0",
      "37",
      "0",
    ]);
    expect(checked.html).toContain('data-testid="no-problems"');
    expect(checked.html).toContain("Import 37 services</button>");
    // The dry run wrote nothing, and residents still get the old numbers.
    expect(await snapshot()).toEqual(before);
    expect(await transportOffer()).not.toContain("Tel 01632 96099");

    const imported = await confirm(checked.html);
    expect(imported.status).toBe(200);
    const page = await imported.text();
    expect(page).toContain('data-testid="imported"');
    expect([field(page, "added"), field(page, "updated"), field(page, "removed")]).toEqual(["0", "37", "0"]);
    expect(page).toContain("Residents are signposted from it at once.");
    expect(await phonesOf("stoke-travel-line")).toBe('["01632 960991"]');

    // At once: the next resident gets the corrected numbers.
    const offer = await transportOffer();
    expect(offer).toMatch(/^Here are some local services that could help:/);
    expect(offer).toContain("Tel 01632 96099");
    expect(offer).not.toMatch(/Tel 01632 9602(20|21|40)/);

    const audit = await h.services.partners.recentAudit(10);
    const entry = audit.find((a) => a.action === "directory.import")!;
    expect(entry).toMatchObject({ actor: operatorId });
    expect(JSON.parse(entry.detail)).toMatchObject({ source: "stoke-on-trent", added: 0, updated: 37, removed: 0 });
    expect(audit.find((a) => a.action === "directory.check")).toMatchObject({ actor: operatorId });

    // The upload is spent: confirming it again finds nothing.
    const again = await confirm(checked.html);
    expect(again.status).toBe(404);
    expect(await again.text()).toContain("was already imported");
  });

  it("reads an HSDS JSON file as a new source, with its problems by file and line", async () => {
    const json = JSON.stringify(
      [
        {
          id: "json-debt",
          name: "Debt advice line",
          description: "Free debt advice.",
          phones: [{ number: "01632 960001" }],
        },
        { id: "json-nameless", name: "" },
      ],
      null,
      2,
    );
    const checked = await upload("extra-services.json", strToU8(json), operator, "application/json");
    expect(checked.response.status).toBe(200);
    expect(field(checked.html, "source")).toBe("extra-services (hsds-json)");
    expect([field(checked.html, "added"), field(checked.html, "updated"), field(checked.html, "removed")]).toEqual([
      "1",
      "0",
      "0",
    ]);
    expect(checked.html).toMatch(
      /<td data-label="File">extra-services\.json<\/td><td class="num" data-label="Line">\d+<\/td><td data-label="Problem">service "json-nameless" has no name; skipped/,
    );
    expect(checked.html).toContain("no placevoice.yaml in extra-services");
    const cancelled = await operator.post(`${PATH}/cancel`, {
      csrf: csrfOf(checked.html),
      upload: tokenOf(checked.html)!,
    });
    expect(await cancelled.text()).toContain("Cancelled: nothing was imported.");
    expect(await h.services.prisma.service.count({ where: { source: "extra-services" } })).toBe(0);
    expect((await confirm(checked.html)).status).toBe(404);
  });

  it("reads a zip of one HSDS JSON file with its placevoice.yaml", async () => {
    const json = JSON.stringify([
      {
        id: "zip-json-debt",
        name: "Debt advice line",
        description: "Free debt advice.",
        service_areas: [{ name: "ST6" }],
      },
    ]);
    const yaml = "area: Burslem\ndistricts: [ST6]\n";
    const checked = await upload(
      "burslem.zip",
      zipOf(
        new Map([
          ["services.json", json],
          ["placevoice.yaml", yaml],
        ]),
        "burslem",
      ),
    );
    expect(checked.response.status).toBe(200);
    expect(field(checked.html, "source")).toBe("burslem (hsds-json)");
    expect(field(checked.html, "added")).toBe("1");
    expect(checked.html).not.toContain("no placevoice.yaml");
    await operator.post(`${PATH}/cancel`, { csrf: csrfOf(checked.html), upload: tokenOf(checked.html)! });
  });

  it("shows a broken package's problems with file and line, and has nothing to import", async () => {
    const before = await snapshot();
    // service.csv without its name column: no row can be read.
    const broken = samplePackage((file, text) =>
      file === "service.csv"
        ? text
            .split("\n")
            .map((line) => line.replace(/^([^,]*,[^,]*),[^,]*,/, "$1,"))
            .join("\n")
        : text,
    );
    const checked = await upload("stoke-on-trent.zip", broken);
    expect(checked.response.status).toBe(422);
    expect(checked.html).toMatch(
      /<td data-label="File">service\.csv<\/td><td class="num" data-label="Line">1<\/td><td data-label="Problem">missing required column name/,
    );
    expect(checked.html).toContain('data-testid="nothing-to-import"');
    expect(tokenOf(checked.html)).toBeUndefined();
    // A zip with no directory in it at all.
    const empty = await upload("photos.zip", zipOf(new Map([["notes.csv", "a,b\n1,2\n"]])));
    expect(empty.response.status).toBe(422);
    expect(field(empty.html, "refused")).toContain("no services.csv (HSDS 3) or service.csv (Open Referral UK)");
    expect(await snapshot()).toEqual(before);
  });

  it("stops a zip bomb at the unpacked-size cap, while inflating", async () => {
    const before = await snapshot();
    // 200 MiB of one byte, deflated to about 200 kB.
    const bomb = zipSync({ "bomb/service.csv": [new Uint8Array(200 * 1024 * 1024).fill(44), { level: 9 }] });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const checked = await upload("bomb.zip", bomb);
    expect(checked.response.status).toBe(413);
    expect(field(checked.html, "refused")).toContain("Unpacked, the zip's files come to more than 32 MiB");
    // A zip of very many small files stops at the entry cap.
    const many = zipOf(new Map(Array.from({ length: 300 }, (_, i) => [`f${i}.csv`, "id\n1\n"])));
    const crowded = await upload("many.zip", many);
    expect(crowded.response.status).toBe(413);
    expect(field(crowded.html, "refused")).toContain("more than 200 files");
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a zip with an entry that climbs out of the folder or is an absolute path", async () => {
    const before = await snapshot();
    for (const name of [
      "../service.csv",
      "stoke-on-trent/../../etc/service.csv",
      "/etc/service.csv",
      "C:\\x\\service.csv",
    ]) {
      const files = sampleFiles();
      const zip = zipSync({
        ...Object.fromEntries([...files].map(([f, t]) => [`stoke-on-trent/${f}`, strToU8(t)])),
        [name]: strToU8("id,name\nx,Evil\n"),
      });
      const checked = await upload("stoke-on-trent.zip", zip);
      expect(checked.response.status, name).toBe(400);
      expect(field(checked.html, "refused")).toContain("Nothing was read or imported");
    }
    expect(await snapshot()).toEqual(before);
  });

  it("refuses the wrong type and too large a file with a clear 4xx", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const wrong = await upload("directory.png", png, operator, "image/png");
    expect(wrong.response.status).toBe(415);
    expect(field(wrong.html, "refused")).toContain("directory.png is neither a zip nor JSON");

    const huge = await upload("huge.zip", new Uint8Array(9 * 1024 * 1024));
    expect(huge.response.status).toBe(413);
    expect(field(huge.html, "refused")).toContain("larger than 8 MiB");

    const { html } = await operator.page(PATH);
    const none = await operator.post(PATH, { csrf: csrfOf(html) });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("Choose a package to upload");
  });

  it("refuses a form without its CSRF token, and a partner", async () => {
    const before = await snapshot();
    const forged = await operator.postFile(PATH, {}, { field: "package", name: "s.zip", bytes: correctedSample() });
    expect(forged.status).toBe(403);
    const checked = await upload("stoke-on-trent.zip", correctedSample());
    const forgedConfirm = await operator.post(`${PATH}/confirm`, { csrf: "forged", upload: tokenOf(checked.html)! });
    expect(forgedConfirm.status).toBe(403);

    expect((await partner.page(PATH)).status).toBe(403);
    const byPartner = await partner.postFile(
      PATH,
      { csrf: "x" },
      { field: "package", name: "s.zip", bytes: correctedSample() },
    );
    expect(byPartner.status).toBe(403);
    // Nor can a partner confirm an operator's upload, with their own session's token.
    const partnerConfirm = await partner.post(`${PATH}/confirm`, { csrf: "x", upload: tokenOf(checked.html)! });
    expect(partnerConfirm.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it("leaves the directory as it was when storing fails part way, and lets the operator try again", async () => {
    const changed = samplePackage((file, text) =>
      file === "phone.csv" ? text.replace("01632 960220", "01632 960981") : text,
    );
    const checked = await upload("stoke-on-trent.zip", changed);
    expect(checked.response.status).toBe(200);
    const before = await snapshot();
    // The database refuses the last write of the import (the settings), after the services were
    // written in the same batch: those must not stay.
    await h.services.prisma.$executeRawUnsafe(
      `CREATE TRIGGER refuse_settings BEFORE UPDATE ON directory_settings BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`,
    );
    try {
      const failed = await confirm(checked.html);
      expect(failed.status).toBe(503);
      expect(await failed.text()).toContain("nothing was changed");
      expect(await snapshot()).toEqual(before);
    } finally {
      await h.services.prisma.$executeRawUnsafe(`DROP TRIGGER refuse_settings`);
    }
    const retried = await confirm(checked.html);
    expect(retried.status).toBe(200);
    expect(await phonesOf("stoke-travel-line")).toBe('["01632 960981"]');
  });

  it("forgets a check after an hour, and another operator cannot confirm it", async () => {
    const checked = await upload("stoke-on-trent.zip", correctedSample());
    const other = new DashboardClient(h.app);
    await other.signIn((await h.services.partners.create("Another operator", [], { role: "operator" })).token);
    const { html } = await other.page(PATH);
    expect((await other.post(`${PATH}/confirm`, { csrf: csrfOf(html), upload: tokenOf(checked.html)! })).status).toBe(
      404,
    );
    h.clock.advance(61 * 60 * 1000);
    expect((await confirm(checked.html)).status).toBe(404);
    // Opening the page forgets it altogether.
    expect(await h.services.prisma.directoryUpload.count()).toBeGreaterThan(0);
    await operator.page(PATH);
    expect(await h.services.prisma.directoryUpload.count()).toBe(0);
  });
});
