// /dashboard/admin/directory: the services directory from the browser, as `placevoice services
// import` does from a terminal. The operator uploads an Open Referral package (a zip of the CSV
// folder, with its placevoice.yaml, or an HSDS JSON file) and first sees what importing it would
// do: the CLI's report (added, updated, removed, and every problem with its file and line),
// with nothing written. The upload waits in the database under a token for them to confirm;
// confirming stores the source and its settings in one atomic batch and reloads this process's
// directory at once. Operators only (a partner gets 403); every form is CSRF-checked and every
// view, check, import and refusal is written to the audit log with who and when.
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { Clock } from "../clock.js";
import { bodyLimit } from "../http/body-limit.js";
import type { DirectoryImportReport, PrismaDirectoryStore } from "../directory/directory-store.js";
import { DirectoryImportError } from "../directory/import/package.js";
import {
  readDirectoryUpload,
  sizeText,
  UPLOAD_LIMITS,
  UploadRefused,
  type UploadLimits,
} from "../directory/import/upload.js";
import type { DirectoryUploads } from "../directory/uploads.js";
import type { PartnerStore } from "../insights/partners.js";
import { page } from "./layout.js";
import { operatorForms, operatorReader, sign, type DashboardSession } from "./session.js";

export interface DirectoryAdminDeps {
  readonly partners: PartnerStore;
  readonly sessionSecret: string;
  readonly now: Clock;
  readonly directoryStore: PrismaDirectoryStore;
  readonly uploads: DirectoryUploads;
  /** Rebuilds this process's directory from the database at once. */
  readonly reload: () => Promise<unknown>;
  /** When the rest of the service signposts from an import (Node: at once; Workers: each instance within a minute). */
  readonly takesEffect: string;
  readonly limits?: UploadLimits;
}

export const DIRECTORY_ADMIN_PATH = "/dashboard/admin/directory";
/** Problems listed on the page; the count says how many more there are. */
const SHOWN_PROBLEMS = 500;

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace("T", " ") : "-");
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;

const STATUS = { too_large: 413, wrong_type: 415, unsafe: 400 } as const;

function reportView(report: DirectoryImportReport, done: boolean) {
  const { counts } = report;
  const shown = report.problems.slice(0, SHOWN_PROBLEMS);
  return html`<dl class="counts" data-testid="report">
<dt>Source</dt><dd data-testid="source">${report.source} (${report.format})</dd>
<dt>Services</dt><dd data-testid="services">${report.services.toLocaleString("en-GB")}</dd>
<dt>${done ? "Added" : "Would add"}</dt><dd data-testid="added">${counts.added.toLocaleString("en-GB")}</dd>
<dt>${done ? "Updated" : "Would update"}</dt><dd data-testid="updated">${counts.updated.toLocaleString("en-GB")}</dd>
<dt>${done ? "Removed" : "Would remove"}</dt><dd data-testid="removed">${counts.removed.toLocaleString("en-GB")}</dd>
<dt>Volunteering</dt><dd>${report.groups > 0 ? `${plural(report.groups, "group")} welcome volunteers` : "no group is marked as welcoming volunteers"}</dd>
<dt>Problems</dt><dd data-testid="problem-count">${report.problems.length.toLocaleString("en-GB")}</dd>
</dl>
${
  report.problems.length === 0
    ? html`<p data-testid="no-problems">No problems: every row could be used.</p>`
    : html`<h3>Problems (rows left out or fields not used)</h3>
<table class="records" data-testid="problems"><thead><tr><th scope="col">File</th><th scope="col" class="num">Line</th><th scope="col">Problem</th></tr></thead>
<tbody>${shown.map((p) => html`<tr><td data-label="File">${p.file}</td><td class="num" data-label="Line">${p.line}</td><td data-label="Problem">${p.message}</td></tr>`)}</tbody></table>
${report.problems.length > shown.length ? html`<p class="note">And ${plural(report.problems.length - shown.length, "more problem")}, not listed here; \`placevoice services import\` prints them all.</p>` : ""}`
}`;
}

export function registerDirectoryAdmin(app: Hono, deps: DirectoryAdminDeps): void {
  const operator = operatorReader(deps);
  const limits = deps.limits ?? UPLOAD_LIMITS;
  const audit = (current: DashboardSession, action: string, detail: Record<string, unknown> = {}) =>
    deps.partners.audit(current.partner.id, action, detail);

  const view = async (
    c: Context,
    current: DashboardSession,
    notice?: ReturnType<typeof html>,
    status: 200 | 400 | 404 | 413 | 415 | 422 | 503 = 200,
  ) => {
    const csrf = sign(deps.sessionSecret, current.raw);
    const [sources, settings] = await Promise.all([deps.directoryStore.sources(), deps.directoryStore.settings()]);
    return c.html(
      page(
        "Services directory",
        html`<header><h1>Services directory</h1><nav><a href="/dashboard/admin">Admin</a> · <a href="/dashboard">Insight</a></nav></header>
<main id="main" tabindex="-1">
${notice ?? ""}
<section aria-labelledby="now-heading"><h2 id="now-heading">What residents are signposted to now</h2>
${
  sources.length === 0
    ? html`<p data-testid="no-services">No services yet: residents are not signposted until a directory is imported.</p>`
    : html`<table class="records" data-testid="sources"><thead><tr><th scope="col">Source</th><th scope="col" class="num">Services</th><th scope="col">Last imported (UTC)</th></tr></thead>
<tbody>${sources.map((s) => html`<tr><th scope="row">${s.source}</th><td class="num" data-label="Services">${s.services.toLocaleString("en-GB")}</td><td data-label="Last imported (UTC)">${when(s.importedAt)}</td></tr>`)}</tbody></table>
${settings.area ? html`<p>Area: ${settings.area}${settings.districts.length > 0 ? ` (${settings.districts.join(", ")})` : ""}.</p>` : ""}`
}</section>
<section aria-labelledby="upload-heading"><h2 id="upload-heading">Import a directory</h2>
<p>Upload an Open Referral package: the folder of CSV files as a .zip (with its placevoice.yaml, if it has one), or an HSDS .json file. You see what it would change, and every problem, before anything is imported. A package replaces the services of the source with its name (the zipped folder's, or the file's) and the directory's settings.</p>
<form class="filters" method="post" action="${DIRECTORY_ADMIN_PATH}" enctype="multipart/form-data" aria-label="Check a directory package">
  <input type="hidden" name="csrf" value="${csrf}">
  <label for="package">Package (.zip or .json, at most ${sizeText(limits.bytes)}) <input id="package" name="package" type="file" accept=".zip,.json,application/zip,application/json" required></label>
  <button type="submit">Check the package</button>
</form></section>
</main>`,
      ),
      status,
    );
  };

  const refuse = (c: Context, current: DashboardSession, message: string, status: 400 | 404 | 413 | 415 | 422) =>
    view(c, current, html`<p class="error" role="alert" data-testid="refused">${message}</p>`, status);

  // The upload has a limit of its own (the app's is 64 kB): the largest package, and the form around it.
  app.use(
    DIRECTORY_ADMIN_PATH,
    bodyLimit({
      maxSize: limits.bytes + 64 * 1024,
      onError: (c) =>
        c.html(
          page(
            "Package too large",
            html`<main id="main" tabindex="-1"><h1>Package too large</h1><p class="error" role="alert" data-testid="refused">The package is larger than ${sizeText(limits.bytes)}, so it was not read. Nothing was imported.</p><p><a href="${DIRECTORY_ADMIN_PATH}">Back to the services directory</a></p></main>`,
          ),
          413,
        ),
    }),
  );

  app.get(DIRECTORY_ADMIN_PATH, async (c) => {
    const current = await operator(c);
    if (current instanceof Response) return current;
    await Promise.all([audit(current, "directory.view"), deps.uploads.forgetExpired()]);
    return view(c, current);
  });

  /** A POSTed form: operator, CSRF-checked. */
  const action = operatorForms(app, deps);

  /** Reads an upload; a Response saying why when it cannot be read (logged in the audit log). */
  const read = async (c: Context, current: DashboardSession, fileName: string, bytes: Uint8Array) => {
    try {
      return readDirectoryUpload(bytes, fileName, { now: deps.now(), limits });
    } catch (error) {
      if (error instanceof UploadRefused) {
        await audit(current, "directory.refused", { file: fileName, reason: error.reason });
        return refuse(c, current, error.message, STATUS[error.reason]);
      }
      if (error instanceof DirectoryImportError) {
        await audit(current, "directory.refused", { file: fileName, reason: "not_a_directory" });
        return refuse(c, current, `${error.message}. Nothing was imported.`, 422);
      }
      throw error;
    }
  };

  // The dry run: read the package, say what importing it would do, keep it for the confirmation.
  action(DIRECTORY_ADMIN_PATH, async (form, current, c) => {
    const file = form.package;
    if (!(file instanceof File) || file.size === 0)
      return refuse(c, current, "Choose a package to upload (.zip or .json).", 400);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const prepared = await read(c, current, file.name, bytes);
    if (prepared instanceof Response) return prepared;
    const report = await deps.directoryStore.plan(prepared);
    const token = report.services > 0 ? await deps.uploads.keep(current.partner.id, file.name, bytes) : undefined;
    await audit(current, "directory.check", {
      file: file.name,
      source: report.source,
      services: report.services,
      problems: report.problems.length,
    });
    const csrf = sign(deps.sessionSecret, current.raw);
    return view(
      c,
      current,
      html`<section class="created" aria-labelledby="check-heading" data-testid="dry-run"><h2 id="check-heading">Checked ${file.name}: nothing is imported yet</h2>
${reportView(report, false)}
${
  token
    ? html`<form method="post" action="${DIRECTORY_ADMIN_PATH}/confirm" aria-label="Confirm the import"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="upload" value="${token}">
<p><button type="submit">Import ${plural(report.services, "service")}${report.problems.length > 0 ? " (rows with problems are left out)" : ""}</button></p></form>
<form method="post" action="${DIRECTORY_ADMIN_PATH}/cancel" aria-label="Cancel the import"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="upload" value="${token}"><p><button type="submit">Cancel</button></p></form>`
    : html`<p class="error" role="alert" data-testid="nothing-to-import">No service in this package could be used, so there is nothing to import. Correct the problems above and upload it again.</p>`
}</section>`,
      token ? 200 : 422,
    );
  });

  action(`${DIRECTORY_ADMIN_PATH}/confirm`, async (form, current, c) => {
    const token = typeof form.upload === "string" ? form.upload : "";
    const upload = token ? await deps.uploads.find(token, current.partner.id) : undefined;
    if (!upload)
      return refuse(
        c,
        current,
        "That check has expired (after an hour), was cancelled or was already imported. Upload the package again.",
        404,
      );
    const prepared = await read(c, current, upload.fileName, upload.bytes);
    if (prepared instanceof Response) return prepared;
    let report: DirectoryImportReport;
    try {
      report = await deps.directoryStore.replaceSource(prepared, deps.now());
    } catch (error) {
      // One atomic batch: nothing of it was stored. The upload stays, so confirming can be tried again.
      await audit(current, "directory.failed", { file: upload.fileName, error: (error as Error).name });
      return view(
        c,
        current,
        html`<p class="error" role="alert" data-testid="failed">The import could not be stored, so nothing was changed: the directory is as it was. Try confirming again in a moment.</p>
<form method="post" action="${DIRECTORY_ADMIN_PATH}/confirm" aria-label="Confirm the import again"><input type="hidden" name="csrf" value="${sign(deps.sessionSecret, current.raw)}"><input type="hidden" name="upload" value="${token}"><p><button type="submit">Try again</button></p></form>`,
        503,
      );
    }
    await deps.uploads.discard(token);
    await audit(current, "directory.import", {
      file: upload.fileName,
      source: report.source,
      services: report.services,
      ...report.counts,
      problems: report.problems.length,
    });
    await deps.reload();
    return view(
      c,
      current,
      html`<section class="created" role="status" aria-labelledby="imported-heading" data-testid="imported"><h2 id="imported-heading">Imported ${upload.fileName}</h2>
${reportView(report, true)}
<p>Residents are signposted from it ${deps.takesEffect}.</p></section>`,
    );
  });

  action(`${DIRECTORY_ADMIN_PATH}/cancel`, async (form, current, c) => {
    const token = typeof form.upload === "string" ? form.upload : "";
    if (token && (await deps.uploads.find(token, current.partner.id))) await deps.uploads.discard(token);
    await audit(current, "directory.cancel");
    return view(c, current, html`<p role="status" data-testid="notice">Cancelled: nothing was imported.</p>`);
  });
}
