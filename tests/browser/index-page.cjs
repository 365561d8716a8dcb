// Drives Debian's Chromium through a rendered omroep index page with playwright-core and
// prints what a visitor would see, as one JSON object, for src/render/index_browser.rs.
//
//   node index-page.cjs /abs/path/index.html /abs/path/screenshot-prefix
//
// Chromium is found at $OMROEP_CHROMIUM, else /usr/bin/chromium. Flags keep it off the
// network (the machine's network is closed; background requests only add noise).
"use strict";
const { chromium } = require("playwright-core");

const FLAGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

async function visible(page) {
  return page.$$eval("#entries > li", (items) =>
    items.filter((li) => !li.hidden && li.offsetParent !== null).map((li) => ({
      kind: li.getAttribute("data-kind"),
      title: li.querySelector("h3").textContent.trim(),
    })));
}

async function main() {
  const [file, shots] = process.argv.slice(2);
  if (!file || !shots) throw new Error("usage: node index-page.cjs FILE.html SCREENSHOT_PREFIX");
  const browser = await chromium.launch({
    executablePath: process.env.OMROEP_CHROMIUM || "/usr/bin/chromium",
    args: FLAGS,
  });
  const result = { errors: [] };
  try {
    // Without JavaScript: everything listed, the filter form stays hidden.
    const plain = await browser.newContext({ javaScriptEnabled: false });
    const noJs = await plain.newPage();
    await noJs.goto("file://" + file);
    result.no_js = { entries: (await visible(noJs)).length, controls_shown: await noJs.isVisible("#controls") };
    await plain.close();

    // Accessibility rules (axe-core, WCAG 2 A/AA), in both colour schemes. Injecting axe
    // needs the page's CSP bypassed; the page itself is checked under its CSP below.
    result.axe = {};
    for (const scheme of ["light", "dark"]) {
      const audit = await browser.newContext({ bypassCSP: true, colorScheme: scheme });
      await audit.route(/^https?:/, (route) => route.fulfill({ status: 204, body: "" }));
      const auditPage = await audit.newPage();
      await auditPage.goto("file://" + file);
      await auditPage.addScriptTag({ path: require.resolve("axe-core") });
      const report = await auditPage.evaluate(() =>
        window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"] } }));
      result.axe[scheme] = report.violations.map((v) => ({
        id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
      }));
      await audit.close();
    }

    const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
    // The page's artwork and media live on the web; answer them here so the test stays
    // offline and the console shows only what the page itself does wrong.
    await context.route(/^https?:/, (route) => route.fulfill({ status: 204, body: "" }));
    const page = await context.newPage();
    page.on("pageerror", (error) => result.errors.push(String(error)));
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") result.errors.push(message.text());
    });
    await page.goto("file://" + file);
    result.controls_shown = await page.isVisible("#controls");
    result.all = await visible(page);
    result.count_all = (await page.textContent("#count")).trim();

    await page.getByLabel("Episodes", { exact: true }).check();
    result.episodes = await visible(page);
    result.count_episodes = (await page.textContent("#count")).trim();
    await page.getByLabel("Posts", { exact: true }).check();
    result.posts = await visible(page);
    await page.getByLabel("Everything", { exact: true }).check();

    // Typing into the search box, as a visitor does.
    await page.getByLabel("Search").pressSequentially("schrikkel");
    result.search_one = await visible(page);
    await page.getByLabel("Search").fill("");
    await page.getByLabel("Search").pressSequentially("FEEDS formats");
    result.search_words = await visible(page);
    await page.getByLabel("Episodes", { exact: true }).check();
    await page.getByLabel("Search").fill("chips");
    result.search_and_filter = await visible(page);
    await page.getByLabel("Search").fill("");
    await page.getByLabel("Everything", { exact: true }).check();

    // Keyboard: the first Tab lands on the skip link, which shows itself with a focus ring.
    await page.mouse.click(1, 1);
    await page.keyboard.press("Tab");
    result.first_focus = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      return { text: el.textContent.trim(), outline: style.outlineStyle, on_screen: box.left >= 0 };
    });
    await page.keyboard.press("Enter");
    result.after_skip = await page.evaluate(() => document.activeElement.id || document.activeElement.tagName);

    await page.screenshot({ path: shots + "-desktop.png", fullPage: true });
    await page.setViewportSize({ width: 375, height: 812 });
    result.mobile_overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    await page.screenshot({ path: shots + "-mobile.png", fullPage: true });
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((error) => {
  process.stderr.write(String((error && error.stack) || error) + "\n");
  process.exit(1);
});
