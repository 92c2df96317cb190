using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace Huddle.Ui.Tests;

/// <summary>
/// axe-core, pinned by tools/axe/package-lock.json (tools/test.sh runs its npm ci), run inside a
/// page against WCAG 2.1 A and AA. A missing axe fails the test that needs it: an accessibility
/// check that quietly did not run would read as a pass.
/// </summary>
public static class Axe
{
    /// <summary>The rules that count: WCAG 2.0 and 2.1, levels A and AA.</summary>
    public static readonly string[] Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    public static string ScriptPath => Path.Combine(BrowserFixture.RepositoryRoot, "tools", "axe", "node_modules", "axe-core", "axe.min.js");

    /// <summary>Runs axe on <paramref name="page"/> as it is now; fails listing every violation's rule, target and help, if any.</summary>
    public static async Task AssertNoViolationsAsync(IPage page, string what)
    {
        ArgumentNullException.ThrowIfNull(page);
        var violations = await ViolationsAsync(page);
        if (violations.Count > 0)
        {
            Assert.Fail(Describe(what, page.Url, violations));
        }
    }

    private static readonly Lazy<string> Source = new(() => File.ReadAllText(ScriptPath));

    /// <summary>The WCAG 2.1 A/AA violations axe finds on <paramref name="page"/>.</summary>
    public static async Task<IReadOnlyList<AxeViolation>> ViolationsAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (!File.Exists(ScriptPath))
        {
            throw new FileNotFoundException($"axe-core is required for the accessibility checks and was not found at {ScriptPath}: run 'npm ci' in tools/axe (tools/test.sh does).", ScriptPath);
        }

        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            // Evaluated through the DevTools protocol, which the page's Content Security Policy does not
            // govern: a script tag (Playwright's AddScriptTag) is inline and Huddle's CSP refuses it.
            await page.EvaluateAsync(Source.Value);
        }

        // axe reads colours as they are painted now. A control that just changed (a period button pressed,
        // a card moved) is mid-way through a CSS transition for a few hundred milliseconds, and a colour
        // between the old and the new one was once read as a contrast failure (#85a8c0 under #1f5f8b, a
        // button leaving its filled look). So axe runs once every finite animation and transition on the
        // page has finished: it judges what a person sees once the page is still. Endless ones (a busy
        // bar's) never finish and are not waited for.
        var result = await page.EvaluateAsync<JsonElement>(
            """
            async tags => {
              const settling = document.getAnimations().filter(a => Number.isFinite(a.effect?.getComputedTiming().endTime));
              await Promise.all(settling.map(a => a.finished.catch(() => null)));
              const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
              return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({ target: n.target.join(' '), summary: n.failureSummary, html: n.html }))
              }));
            }
            """, Tags);
        return result.Deserialize<List<AxeViolation>>(Json) ?? [];
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private static string Describe(string what, string url, IReadOnlyList<AxeViolation> violations)
    {
        var text = new StringBuilder();
        text.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
            $"axe found {violations.Count} WCAG 2.1 A/AA rule(s) violated on {what} ({url}):");
        foreach (var v in violations)
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"- {v.Id} ({v.Impact}, {v.Nodes.Count} node(s)): {v.Help} — {v.HelpUrl}");
            foreach (var node in v.Nodes)
            {
                text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"    at {node.Target}: {node.Html}");
                foreach (var line in (node.Summary ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"      {line}");
                }
            }
        }

        return text.ToString();
    }
}

/// <summary>One axe rule violated, with the elements that violate it.</summary>
public sealed record AxeViolation(string Id, string? Impact, string Help, string HelpUrl, IReadOnlyList<AxeNode> Nodes);

/// <summary>An element that violates a rule: its CSS target, axe's summary of how to fix it, its markup.</summary>
public sealed record AxeNode(string Target, string? Summary, string Html);
