// Chromium for the browser tests, from npm: @sparticuz/chromium carries a headless build in its
// tarball and unpacks it to /tmp on first use, so `npm install && npm test` needs no system
// browser. CHROMIUM_PATH may point at another Chromium (e.g. Debian's /usr/bin/chromium); nothing
// requires one.
import sparticuz from "@sparticuz/chromium";
import { chromium, type Browser } from "playwright-core";

// Without the background-networking flags Chromium keeps reaching for Google's hosts, which a
// closed test network refuses many at a time.
const QUIET_FLAGS = [
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export async function launchChromium(): Promise<Browser> {
  const systemPath = process.env.CHROMIUM_PATH;
  if (systemPath) {
    return chromium.launch({
      executablePath: systemPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", ...QUIET_FLAGS],
    });
  }
  sparticuz.setGraphicsMode = false;
  return chromium.launch({
    executablePath: await sparticuz.executablePath(),
    args: [...sparticuz.args, ...QUIET_FLAGS],
    headless: true,
  });
}
