import { describe, expect, it } from "vitest";
import { escapeHtml, html, segment } from "./html";

describe("the pages' markup", () => {
  it("escapes every interpolated value, in text and in quoted attributes", () => {
    const name = `</noscript><script>alert("x")</script>`;
    const value = `" onfocus='alert(1)`;
    const out = html`<p title="${value}">${name}</p>`.value;
    expect(out).toBe(`<p title="&quot; onfocus=&#39;alert(1)">&lt;/noscript&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>`);
    expect(escapeHtml("a & b")).toBe("a &amp; b");
  });

  it("nests templates as markup, joins arrays, and renders nothing for null, undefined and false", () => {
    const items = ["<a>", "b"].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe("<ul><li>&lt;a&gt;</li><li>b</li></ul>0");
  });

  it("percent-encodes path segments", () => {
    expect(segment("a/b?c#d")).toBe("a%2Fb%3Fc%23d");
  });
});
