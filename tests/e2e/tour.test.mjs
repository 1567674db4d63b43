// End-to-end tests of the guided tours (src/ui/teaching/tour.rs, src/view_model/tour/): every step
// of every tour changes the chapter's parameters and the URL, ← returns, a reload lands on the same
// step, the step's panel is highlighted and the others dimmed; the home page starts a tour and the
// chapter offers its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withApp, shot } from "./harness.mjs";

const TOURS = { sdpa: 9, heads: 8, sparse: 9, approx: 7, speed: 6, model: 7 };

/** The query without the tour's own keys: what a step sets. */
const params = (url) => {
  const q = new URL(url).searchParams;
  q.delete("step");
  return q.toString();
};
const stepOf = (url) => Number(new URL(url).searchParams.get("step"));

/** Waits for the tour panel at step `k` (1-based) and returns its title. */
async function atStep(page, k) {
  await page.waitForSelector(`[data-testid=tour][data-step="${k}"]`, { timeout: 20000 });
  await page.waitForFunction((k) => new URL(location.href).searchParams.get("step") === String(k), k);
  return page.textContent("[data-testid=tour-title]");
}

for (const [chapter, steps] of Object.entries(TOURS)) {
  test(`the ${chapter} tour walks its ${steps} steps; each changes the parameters; ← returns; a reload stays`, async () => {
    await withApp(`?tour=${chapter}&step=1`, async ({ page }) => {
      await page.waitForSelector(`[data-testid=view-${chapter}]`);
      const dots = await page.locator("[data-testid=tour] .tour-dot").count();
      assert.equal(dots, steps, "one dot per step");
      let title = await atStep(page, 1);
      let previous = params(page.url());
      const seen = [title];
      for (let k = 2; k <= steps; k++) {
        if (k % 2 === 0) await page.keyboard.press("ArrowRight");
        else await page.click("[data-testid=tour-next]");
        const next = await atStep(page, k);
        assert.notEqual(next, title, `step ${k} has its own title`);
        const now = params(page.url());
        assert.notEqual(now, previous, `step ${k} changes the chapter's parameters`);
        assert.match(page.url(), new RegExp(`[?&]view=${chapter}(&|$)`));
        assert.match(await page.textContent("[data-testid=tour-progress]"), new RegExp(`${k}\\D+${steps}`));
        const body = await page.textContent("[data-testid=tour-body]");
        assert.ok(body.length > 80 && body.split(/[.!?] /).length >= 2, `step ${k}: 2–4 sentences (${body.length} chars)`);
        // (The model chapter's figures appear once its model is loaded, which this test does not do.)
        if (k === 3 && chapter !== "model") {
          // The step's panel is ringed and every figure without it dimmed.
          const veiled = () => [...document.querySelectorAll(".figure")].filter((f) => getComputedStyle(f, "::after").content !== "none").length;
          await page.waitForFunction(veiled);
          assert.ok((await page.evaluate(veiled)) < (await page.locator(".figure").count()), "the step's figure is not veiled");
          const ringed = await page.evaluate(() =>
            [...document.querySelectorAll("*")].filter((e) => getComputedStyle(e).outlineStyle === "solid" && getComputedStyle(e).outlineWidth === "4px").length);
          assert.ok(ringed >= 1, "a panel is ringed");
          await page.waitForTimeout(400);
          await shot(page, `tour-${chapter}-step3`);
        }
        seen.push(next);
        previous = now;
        title = next;
      }
      assert.equal(await page.locator("[data-testid=tour-next]").count(), 0, "the last step has no Next");
      assert.equal(await page.locator("[data-testid=tour-done]").count(), 1);
      // ← goes back to the step before, with its parameters.
      const last = page.url();
      await page.keyboard.press("ArrowLeft");
      assert.equal(await atStep(page, steps - 1), seen[steps - 2]);
      assert.notEqual(params(page.url()), params(last));
      // A reload lands on the same step.
      const here = page.url();
      await page.reload();
      assert.equal(await atStep(page, steps - 1), seen[steps - 2]);
      assert.equal(page.url(), here);
      // A dot jumps to its step.
      await page.click("[data-testid=tour-dot-1]");
      assert.equal(await atStep(page, 1), seen[0]);
    });
  });
}

test("the home page starts the SDPA tour, a chapter offers its own, and closing ends it", async () => {
  await withApp("?", async ({ page }) => {
    await page.click("[data-testid=home-tour]");
    await atStep(page, 1);
    assert.match(page.url(), /view=sdpa&tour=sdpa&step=1/);
    assert.equal(await page.locator("[data-testid=tour-formula] math").count(), 1, "the step's formula is typeset");
    await shot(page, "tour-sdpa-step1");
    await page.click("[data-testid=tour-close]");
    await page.waitForSelector("[data-testid=tour]", { state: "detached" });
    assert.doesNotMatch(page.url(), /tour=|step=/);
    assert.equal(await page.evaluate(() => document.body.classList.contains("touring")), false);
    // Nothing stays dimmed (after the fade back).
    await page.waitForFunction(() => [...document.querySelectorAll(".figure")].every((f) => getComputedStyle(f, "::after").content === "none"), null, { timeout: 3000 });
    assert.ok(await page.locator("[data-testid=view-sdpa]").count(), "the chapter stays open");
    await page.click("[data-testid=nav-sparse]");
    await page.click("[data-testid=tour-start]");
    await atStep(page, 1);
    assert.match(page.url(), /tour=sparse/);
    // Esc closes the tour too; arrow keys typed into a field stay the field's.
    await page.keyboard.press("Escape");
    await page.waitForSelector("[data-testid=tour]", { state: "detached" });
  });
});

test("arrow keys on a slider move the slider, not the tour; a step past the end is clamped with a notice", async () => {
  await withApp("?tour=sdpa&step=99", async ({ page }) => {
    await page.waitForSelector("[data-testid=tour][data-step='9']");
    assert.match(await page.textContent("[data-testid=main]"), /step=99/);
    await page.click("[data-testid=tour-dot-2]");
    await atStep(page, 2);
    await page.focus("[data-testid=view-sdpa] input[type=range]");
    await page.keyboard.press("ArrowRight");
    await page.waitForTimeout(300);
    assert.equal(stepOf(page.url()), 2);
  });
});

test("in Chinese the tour speaks Chinese", async () => {
  await withApp("?tour=heads&step=3&lang=zh", async ({ page }) => {
    assert.match(await atStep(page, 3), /分组查询注意力/);
    assert.match(await page.textContent("[data-testid=tour-progress]"), /第 3 步，共 8 步/);
    await shot(page, "tour-heads-step3-zh");
  });
});
